import crypto from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ClusterCertificates, makeClusterCertificates } from './certs';
import { discovery } from './discovery';
import { ClusterFaults } from './faults';
import { KubeObject, parseJson, parseJsonValue } from './incoming';
import { jsonPatch, mergePatch } from './mergePatch';
import { ObjectStore, WriteAnswer } from './objectStore';
import { openApiV3 } from './openapi';
import { parsePath, ResourcePath } from './paths';
import { ResourceType } from './resources';
import {
  methodNotSupported,
  StatusError,
  unauthorized,
  unsupportedMediaType,
} from './status';
import { asTable, wantsTable } from './table';
import { CrdValidator } from './validation';
import { WriteLog } from './writeLog';
import { isWatch, serveWatch } from './watchStream';

export interface ClusterOptions {
  name: string;
  token?: string;
  port?: number;
  validator: CrdValidator;
}

const notFoundHere = () =>
  new StatusError(
    404,
    'NotFound',
    'the server could not find the requested resource',
  );

const INJECTED_REASONS: Record<number, string> = {
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/**
 * One simulated Kubernetes API server: its own HTTPS listener, CA and bearer token in front of an
 * object store, answering the calls this product (and kubectl) make the way the real server does,
 * with the faults a test asks for.
 */
export class SimulatedCluster {
  readonly name: string;
  readonly token: string;
  readonly faults = new ClusterFaults();
  port = 0;
  private readonly objects: ObjectStore;
  private certs?: ClusterCertificates;
  private server?: https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<ServerResponse>();
  /** The Istio telemetry this cluster's proxies report, in Prometheus' text format (set by the sandbox). */
  metrics?: () => string;

  constructor(options: ClusterOptions) {
    this.name = options.name;
    this.token = options.token ?? crypto.randomBytes(24).toString('hex');
    this.port = options.port ?? 0;
    this.objects = new ObjectStore(options.validator);
  }

  /** Every write accepted, in order: for tests of what held at each moment. */
  get writes(): WriteLog {
    return this.objects.writes;
  }

  get url() {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Base64 of the PEM CA, as kubeconfig's certificate-authority-data holds it. */
  get caData() {
    if (!this.certs)
      throw new Error(`cluster ${this.name} has no CA until it has started`);
    return Buffer.from(this.certs.caPem).toString('base64');
  }

  get isUp() {
    return Boolean(this.server?.listening);
  }

  async start(): Promise<void> {
    if (this.isUp) return;
    this.certs ??= await makeClusterCertificates(this.name);
    const server = https.createServer(
      { key: this.certs.keyPem, cert: this.certs.certPem },
      (req, res) => {
        this.handle(req, res).catch(error =>
          send(
            res,
            500,
            new StatusError(500, 'InternalError', String(error)).toStatus(),
          ),
        );
      },
    );
    server.on('connection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: clients now get connection refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }

  /** Breaks every open watch stream mid-flight, as a load balancer or a restarting API server does. */
  cutWatches(): number {
    const cut = this.watches.size;
    for (const res of this.watches) res.socket?.destroy();
    this.watches.clear();
    return cut;
  }

  /** Forgets the history of changes: a watch that resumes from before now gets 410 Gone. */
  compactHistory() {
    this.objects.compactHistory();
  }

  /** Watch streams open now. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Puts an object in the store as if it had been created, for seeding topologies. */
  seed(type: ResourceType, obj: KubeObject) {
    this.objects.seed(type, obj);
  }

  /** Objects of a type in the store (for tests and the admin endpoint). */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.objects.list(type, namespace);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    // As a proxy's stats port, /metrics carries no secret and needs no token: Prometheus scrapes it.
    if (url.pathname === '/metrics' && req.method === 'GET' && this.metrics) {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(this.metrics());
      return;
    }
    if ((req.headers.authorization ?? '') !== `Bearer ${this.token}`) {
      send(res, 401, unauthorized().toStatus());
      return;
    }
    const parsed = parsePath(url.pathname);
    const verb = verbOf(
      req.method ?? 'GET',
      parsed,
      req.headers['content-type'],
      isWatch(url.searchParams),
    );
    const resource =
      parsed.kind === 'resource' ? parsed.target.type.resource : 'discovery';
    this.faults.count(verb, resource);
    if (this.faults.latencyMs)
      await new Promise(r => setTimeout(r, this.faults.latencyMs));
    // A client that gave up while the request waited cancels it, as the API server's request context does.
    if (req.destroyed || res.destroyed) return;
    const failure = this.faults.failureFor(verb, resource);
    if (failure?.reset) {
      req.socket.destroy();
      return;
    }
    if (failure) {
      const status = failure.status ?? 500;
      const message =
        failure.message ??
        `injected failure for ${verb} ${resource} on cluster ${this.name}`;
      send(
        res,
        status,
        new StatusError(
          status,
          INJECTED_REASONS[status] ?? 'InjectedFailure',
          message,
        ).toStatus(),
      );
      return;
    }
    try {
      if (parsed.kind !== 'resource') {
        send(res, 200, nonResource(parsed, url));
        return;
      }
      if (
        req.method === 'GET' &&
        !parsed.target.name &&
        isWatch(url.searchParams)
      ) {
        await this.watch(req, res, parsed.target, url.searchParams);
        return;
      }
      const body = req.method === 'GET' ? '' : await readBody(req);
      const { code, object } = this.dispatch(req, url, parsed.target, body);
      // The write has landed; a late answer is the case a client's timeout cannot tell from a lost one.
      if (this.faults.answerDelayMs && req.method !== 'GET')
        await new Promise(r => setTimeout(r, this.faults.answerDelayMs));
      const table =
        req.method === 'GET' &&
        !parsed.target.name &&
        wantsTable(req.headers.accept);
      send(
        res,
        code,
        table ? asTable(parsed.target.type, object.items) : object,
      );
    } catch (error) {
      if (error instanceof StatusError) send(res, error.code, error.toStatus());
      else throw error;
    }
  }

  private async watch(
    req: IncomingMessage,
    res: ServerResponse,
    target: ResourcePath,
    q: URLSearchParams,
  ) {
    this.watches.add(res);
    try {
      await serveWatch(req, res, this.objects, target, q, {
        bookmarkIntervalMs: this.faults.bookmarkIntervalMs,
        eventDelayMs: this.faults.watchEventDelayMs,
        table: wantsTable(req.headers.accept),
      });
    } finally {
      this.watches.delete(res);
    }
  }

  private dispatch(
    req: IncomingMessage,
    url: URL,
    target: ResourcePath,
    body: string,
  ): WriteAnswer {
    const q = url.searchParams;
    const dryRun = q.getAll('dryRun').includes('All');
    const manager = q.get('fieldManager') ?? managerOf(req);
    switch (req.method) {
      case 'GET':
        return {
          code: 200,
          object: target.name
            ? this.objects.get(target)
            : this.objects.listObjects(target, q),
        };
      case 'POST':
        return {
          code: 201,
          object: this.objects.create(target, parseJson(body), manager, dryRun),
        };
      case 'PUT':
        return {
          code: 200,
          object: this.objects.update(target, parseJson(body), manager, dryRun),
        };
      case 'PATCH':
        return this.patch(req, target, body, q, dryRun);
      case 'DELETE':
        return {
          code: 200,
          object: this.objects.remove(
            target,
            body ? parseJson(body) : {},
            dryRun,
          ),
        };
      default:
        throw methodNotSupported(
          `the server does not allow this method on the requested resource`,
        );
    }
  }

  private patch(
    req: IncomingMessage,
    target: ResourcePath,
    body: string,
    q: URLSearchParams,
    dryRun: boolean,
  ): WriteAnswer {
    const contentType = (req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const patches: Record<
      string,
      [(live: unknown, patch: any) => unknown, (body: string) => unknown]
    > = {
      'application/merge-patch+json': [mergePatch, parseJson],
      'application/json-patch+json': [jsonPatch, parseJsonValue],
    };
    if (patches[contentType]) {
      const [patchWith, parse] = patches[contentType];
      const patch = parse(body);
      return {
        code: 200,
        object: this.objects.patch(
          target,
          live => patchWith(live, patch),
          q.get('fieldManager') ?? managerOf(req),
          dryRun,
        ),
      };
    }
    if (
      contentType === 'application/apply-patch+yaml' ||
      contentType === 'application/apply-patch+cbor'
    ) {
      return this.objects.apply(target, body, {
        manager: q.get('fieldManager'),
        force: q.get('force') === 'true',
        dryRun,
      });
    }
    throw unsupportedMediaType(contentType);
  }
}

/** Discovery and OpenAPI documents; anything else that is not a resource path is not found. */
function nonResource(parsed: ReturnType<typeof parsePath>, url: URL): unknown {
  if (parsed.kind === 'discovery') {
    const body = discovery(parsed.path);
    if (body === undefined) throw notFoundHere();
    return body;
  }
  if (url.pathname.startsWith('/openapi/v3')) {
    const doc = openApiV3(url.pathname);
    if (doc === undefined) throw notFoundHere();
    return doc;
  }
  throw notFoundHere();
}

function verbOf(
  method: string,
  parsed: ReturnType<typeof parsePath>,
  contentType: string | undefined,
  watching: boolean,
) {
  const named = parsed.kind === 'resource' && parsed.target.name !== undefined;
  switch (method) {
    case 'GET':
      if (named || parsed.kind !== 'resource') return 'get';
      return watching ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return contentType?.startsWith('application/apply-patch')
        ? 'apply'
        : 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

function managerOf(req: IncomingMessage) {
  return (req.headers['user-agent'] ?? 'unknown').split('/')[0];
}

function send(res: ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
