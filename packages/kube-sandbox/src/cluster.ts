import crypto from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { ClusterCertificates, makeClusterCertificates } from './certs';
import { discovery } from './discovery';
import { openApiV3 } from './openapi';
import { ClusterFaults } from './faults';
import { AcceptedWrite, WriteLog } from './writeLog';
import {
  formatPath,
  fromManagedFields,
  ManagedEntry,
  recordUpdate,
  sameValue,
  serverSideApply,
  toManagedFields,
} from './fieldManagement';
import { mergePatch } from './mergePatch';
import { parsePath, ResourcePath } from './paths';
import { groupVersion, ResourceType } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  methodNotSupported,
  notFound,
  StatusError,
  unauthorized,
  unsupportedMediaType,
} from './status';
import { asTable, wantsTable } from './table';
import { CrdValidator } from './validation';

type KubeObject = Record<string, any>;

export interface ClusterOptions {
  name: string;
  token?: string;
  port?: number;
  validator: CrdValidator;
}

const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * One simulated Kubernetes API server: its own HTTPS listener, CA, bearer token and object
 * store, answering the calls this product (and kubectl) make the way the real server does.
 */
export class SimulatedCluster {
  readonly name: string;
  readonly token: string;
  readonly faults = new ClusterFaults();
  /** Every write accepted, in order: for tests of what held at each moment. */
  readonly writes = new WriteLog();
  port = 0;
  private certs?: ClusterCertificates;
  private readonly validator: CrdValidator;
  private readonly objects = new Map<string, KubeObject>();
  private resourceVersion = 0;
  private server?: https.Server;
  private readonly sockets = new Set<Socket>();
  /** The verb of the request being handled (requests are handled one at a time, synchronously). */
  private currentVerb: AcceptedWrite['verb'] = 'update';

  constructor(options: ClusterOptions) {
    this.name = options.name;
    this.token = options.token ?? crypto.randomBytes(24).toString('hex');
    this.port = options.port ?? 0;
    this.validator = options.validator;
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
          this.send(
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

  /** Puts an object in the store as if it had been created, for seeding topologies. */
  seed(type: ResourceType, obj: KubeObject) {
    const stored = this.stamp(structuredClone(obj), undefined);
    stored.metadata.managedFields = toManagedFields(
      recordUpdate({
        before: undefined,
        after: stored,
        entries: [],
        manager: 'kube-sandbox',
        apiVersion: stored.apiVersion,
        now: this.now(),
      }),
    );
    this.objects.set(
      this.key(type, stored.metadata.namespace, stored.metadata.name),
      stored,
    );
  }

  /** Objects of a type in the store (for tests and the admin endpoint). */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.ofType(type).filter(
      o => namespace === undefined || o.metadata.namespace === namespace,
    );
  }

  private ofType(type: ResourceType): KubeObject[] {
    const prefix = `${type.group}|${type.resource}|`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, o]) => o);
  }

  private key(type: ResourceType, namespace: string | undefined, name: string) {
    return `${type.group}|${type.resource}|${namespace ?? ''}|${name}`;
  }

  private now() {
    return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private nextResourceVersion() {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  /** Server-set metadata on a new or changed object. */
  private stamp(obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (previous) {
      meta.uid = previous.metadata.uid;
      meta.creationTimestamp = previous.metadata.creationTimestamp;
      const specChanged = !sameValue(previous.spec, obj.spec);
      meta.generation =
        (previous.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    } else {
      meta.uid = crypto.randomUUID();
      meta.creationTimestamp = this.now();
      meta.generation = 1;
    }
    meta.resourceVersion = this.nextResourceVersion();
    return obj;
  }

  private send(res: ServerResponse, code: number, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private async readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${this.token}`) {
      this.send(res, 401, unauthorized().toStatus());
      return;
    }
    const parsed = parsePath(url.pathname);
    const verb = this.verbOf(
      req.method ?? 'GET',
      parsed,
      req.headers['content-type'],
    );
    const resource =
      parsed.kind === 'resource' ? parsed.target.type.resource : 'discovery';
    this.faults.count(verb, resource);
    if (this.faults.latencyMs)
      await new Promise(r => setTimeout(r, this.faults.latencyMs));
    // A client that gave up while the request waited cancels it, as the API server's request context does.
    if (req.destroyed || res.destroyed) return;
    const failure = this.faults.failureFor(verb, resource);
    if (failure) {
      const reasons: Record<number, string> = {
        500: 'InternalError',
        503: 'ServiceUnavailable',
        504: 'Timeout',
      };
      const reason = reasons[failure.status] ?? 'InjectedFailure';
      const error = new StatusError(
        failure.status,
        reason,
        failure.message ??
          `injected failure for ${verb} ${resource} on cluster ${this.name}`,
      );
      this.send(res, failure.status, error.toStatus());
      return;
    }
    try {
      if (parsed.kind === 'discovery') {
        const body = discovery(parsed.path);
        if (body === undefined)
          throw new StatusError(
            404,
            'NotFound',
            'the server could not find the requested resource',
          );
        this.send(res, 200, body);
        return;
      }
      if (parsed.kind === 'unknown' && url.pathname.startsWith('/openapi/v3')) {
        const doc = openApiV3(url.pathname);
        if (doc === undefined)
          throw new StatusError(
            404,
            'NotFound',
            'the server could not find the requested resource',
          );
        this.send(res, 200, doc);
        return;
      }
      if (parsed.kind === 'unknown') {
        throw new StatusError(
          404,
          'NotFound',
          'the server could not find the requested resource',
        );
      }
      const body = req.method === 'GET' ? '' : await this.readBody(req);
      const { code, object } = this.dispatch(req, url, parsed.target, body);
      // The write has landed; a late answer is the case a client's timeout cannot tell from a lost one.
      if (this.faults.answerDelayMs && req.method !== 'GET')
        await new Promise(r => setTimeout(r, this.faults.answerDelayMs));
      if (
        req.method === 'GET' &&
        !parsed.target.name &&
        wantsTable(req.headers.accept)
      ) {
        this.send(res, 200, asTable(parsed.target.type, object.items));
      } else {
        this.send(res, code, object);
      }
    } catch (error) {
      if (error instanceof StatusError)
        this.send(res, error.code, error.toStatus());
      else throw error;
    }
  }

  private verbOf(
    method: string,
    parsed: ReturnType<typeof parsePath>,
    contentType?: string,
  ) {
    const named =
      parsed.kind === 'resource' && parsed.target.name !== undefined;
    switch (method) {
      case 'GET':
        return named || parsed.kind !== 'resource' ? 'get' : 'list';
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

  private dispatch(
    req: IncomingMessage,
    url: URL,
    target: ResourcePath,
    body: string,
  ): { code: number; object: any } {
    const q = url.searchParams;
    const verb = this.verbOf(
      req.method ?? 'GET',
      { kind: 'resource', target } as ReturnType<typeof parsePath>,
      req.headers['content-type'],
    );
    this.currentVerb = verb as AcceptedWrite['verb'];
    const dryRun = q.getAll('dryRun').includes('All');
    switch (req.method) {
      case 'GET':
        return target.name
          ? { code: 200, object: this.get(target) }
          : { code: 200, object: this.listObjects(target, q) };
      case 'POST':
        return {
          code: 201,
          object: this.create(
            target,
            this.parseJson(body),
            q.get('fieldManager') ?? this.managerOf(req),
            dryRun,
          ),
        };
      case 'PUT':
        return {
          code: 200,
          object: this.update(
            target,
            this.parseJson(body),
            q.get('fieldManager') ?? this.managerOf(req),
            dryRun,
          ),
        };
      case 'PATCH':
        return this.patch(req, target, body, q, dryRun);
      case 'DELETE':
        return {
          code: 200,
          object: this.remove(target, body ? this.parseJson(body) : {}, dryRun),
        };
      default:
        throw methodNotSupported(
          `the server does not allow this method on the requested resource`,
        );
    }
  }

  private managerOf(req: IncomingMessage) {
    return (req.headers['user-agent'] ?? 'unknown').split('/')[0];
  }

  private parseJson(body: string): KubeObject {
    try {
      const obj = JSON.parse(body);
      if (!obj || typeof obj !== 'object' || Array.isArray(obj))
        throw new Error('not an object');
      return obj;
    } catch (e) {
      throw badRequest(
        `the request body is not a JSON object: ${(e as Error).message}`,
      );
    }
  }

  private ref(target: ResourcePath, name?: string) {
    return {
      kind: target.type.kind,
      group: target.type.group,
      resource: target.type.resource,
      name: name ?? target.name ?? '',
    };
  }

  private requireNamespace(target: ResourcePath) {
    if (!target.type.namespaced) return;
    if (!this.objects.has(`|namespaces||${target.namespace}`)) {
      throw notFound({
        kind: 'Namespace',
        group: '',
        resource: 'namespaces',
        name: target.namespace ?? '',
      });
    }
  }

  /** The object as the requested version presents it (Istio serves v1, v1beta1, v1alpha3 alike). */
  private present(target: ResourcePath, obj: KubeObject): KubeObject {
    const out = structuredClone(obj);
    out.apiVersion = groupVersion(target.type.group, target.version);
    out.kind = target.type.kind;
    return out;
  }

  private get(target: ResourcePath): KubeObject {
    const obj = this.objects.get(
      this.key(target.type, target.namespace, target.name!),
    );
    if (!obj) throw notFound(this.ref(target));
    return this.present(target, obj);
  }

  private listObjects(target: ResourcePath, q: URLSearchParams) {
    const matchesLabels = parseLabelSelector(q.get('labelSelector'));
    const matchesFields = parseFieldSelector(q.get('fieldSelector'));
    const items = this.ofType(target.type)
      .filter(
        o =>
          target.namespace === undefined ||
          o.metadata.namespace === target.namespace,
      )
      .filter(o => matchesLabels(o.metadata.labels ?? {}) && matchesFields(o))
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace}/${b.metadata.name}`,
        ),
      )
      .map(o => this.present(target, o));
    return {
      apiVersion: groupVersion(target.type.group, target.version),
      kind: `${target.type.kind}List`,
      metadata: { resourceVersion: String(this.resourceVersion) },
      items,
    };
  }

  /** Checks what the API server checks on every write: identity, names, the CRD's schema. */
  private validateWrite(target: ResourcePath, obj: KubeObject) {
    const name = obj.metadata?.name;
    const ref = this.ref(target, name);
    const causes = [];
    if (!name)
      causes.push({
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      });
    else if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      });
    }
    const expectedApiVersion = groupVersion(target.type.group, target.version);
    if (
      obj.apiVersion &&
      target.type.versions.every(
        v => groupVersion(target.type.group, v) !== obj.apiVersion,
      )
    ) {
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expectedApiVersion})`,
      );
    }
    if (obj.kind && obj.kind !== target.type.kind) {
      throw badRequest(
        `the kind in the data (${obj.kind}) does not match the expected kind (${target.type.kind})`,
      );
    }
    if (target.type.crd)
      causes.push(
        ...this.validator.validate(target.type.crd, target.version, obj),
      );
    if (causes.length) throw invalid(ref, causes);
  }

  private normalizeIncoming(
    target: ResourcePath,
    obj: KubeObject,
    name?: string,
  ): KubeObject {
    const out = structuredClone(obj);
    out.apiVersion = groupVersion(target.type.group, target.version);
    out.kind = target.type.kind;
    out.metadata = { ...(out.metadata ?? {}) };
    if (name && !out.metadata.name) out.metadata.name = name;
    if (target.type.namespaced) {
      if (
        out.metadata.namespace &&
        out.metadata.namespace !== target.namespace
      ) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      out.metadata.namespace = target.namespace;
    }
    return out;
  }

  private create(
    target: ResourcePath,
    body: KubeObject,
    manager: string,
    dryRun: boolean,
  ) {
    const obj = this.normalizeIncoming(target, body);
    for (const field of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'generation',
      'managedFields',
    ])
      delete obj.metadata[field];
    this.validateWrite(target, obj);
    this.requireNamespace(target);
    const key = this.key(target.type, target.namespace, obj.metadata.name);
    if (this.objects.has(key))
      throw alreadyExists(this.ref(target, obj.metadata.name));
    return this.commit(target, key, undefined, obj, manager, dryRun);
  }

  private update(
    target: ResourcePath,
    body: KubeObject,
    manager: string,
    dryRun: boolean,
  ) {
    const obj = this.normalizeIncoming(target, body, target.name);
    if (obj.metadata.name !== target.name)
      throw badRequest(
        'the name of the object does not match the name on the URL',
      );
    const key = this.key(target.type, target.namespace, target.name!);
    const live = this.objects.get(key);
    if (!live) throw notFound(this.ref(target));
    if (
      obj.metadata.resourceVersion &&
      obj.metadata.resourceVersion !== live.metadata.resourceVersion
    ) {
      throw conflict(
        this.ref(target),
        `Operation cannot be fulfilled on ${target.type.resource}${
          target.type.group ? `.${target.type.group}` : ''
        } "${
          target.name
        }": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    this.validateWrite(target, obj);
    return this.commit(target, key, live, obj, manager, dryRun);
  }

  private patch(
    req: IncomingMessage,
    target: ResourcePath,
    body: string,
    q: URLSearchParams,
    dryRun: boolean,
  ) {
    const contentType = (req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const key = this.key(target.type, target.namespace, target.name!);
    const live = this.objects.get(key);
    if (contentType === 'application/merge-patch+json') {
      if (!live) throw notFound(this.ref(target));
      const merged = mergePatch(live, this.parseJson(body)) as KubeObject;
      const obj = this.normalizeIncoming(target, merged, target.name);
      this.validateWrite(target, obj);
      return {
        code: 200,
        object: this.commit(
          target,
          key,
          live,
          obj,
          q.get('fieldManager') ?? this.managerOf(req),
          dryRun,
        ),
      };
    }
    if (
      contentType === 'application/apply-patch+yaml' ||
      contentType === 'application/apply-patch+cbor'
    ) {
      return this.apply(target, key, live, body, q, dryRun);
    }
    throw unsupportedMediaType(contentType);
  }

  private apply(
    target: ResourcePath,
    key: string,
    live: KubeObject | undefined,
    body: string,
    q: URLSearchParams,
    dryRun: boolean,
  ) {
    const manager = q.get('fieldManager');
    if (!manager) {
      throw new StatusError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        {
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: is required for apply patch',
              field: 'fieldManager',
            },
          ],
        },
      );
    }
    let config: KubeObject;
    try {
      // Most clients send JSON (a subset of YAML): decode it as such, as the API server's JSON decoder would.
      config = parseJsonOrYaml(body);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!config || typeof config !== 'object')
      throw badRequest('the apply patch is not an object');
    const obj = this.normalizeIncoming(target, config, target.name);
    if (obj.metadata.name !== target.name)
      throw badRequest(
        'the name of the object does not match the name on the URL',
      );
    // A resourceVersion in the apply configuration is a precondition on an existing object (an
    // absent object is created whatever it says, as the API server does).
    const expected = obj.metadata.resourceVersion;
    if (live && expected && expected !== live.metadata.resourceVersion) {
      throw conflict(
        this.ref(target),
        `Operation cannot be fulfilled on ${target.type.resource}${
          target.type.group ? `.${target.type.group}` : ''
        } "${
          target.name
        }": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const applyConfig = structuredClone(obj);
    for (const field of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'generation',
      'managedFields',
    ])
      delete applyConfig.metadata[field];
    if (!live) this.requireNamespace(target);
    const force = q.get('force') === 'true';
    const apiVersion = groupVersion(target.type.group, target.version);
    const result = serverSideApply({
      live,
      entries: fromManagedFields(live?.metadata.managedFields),
      config: applyConfig,
      manager,
      apiVersion,
      force,
      now: this.now(),
    });
    if (result.conflicts.length && !force) {
      const causes = result.conflicts.map(c => ({
        reason: 'FieldManagerConflict',
        message: `conflict with "${c.manager}" using ${apiVersion}`,
        field: formatPath(c.path),
      }));
      const list = causes.map(c => `- ${c.message}: ${c.field}`).join('\n');
      throw conflict(
        this.ref(target),
        `Apply failed with ${causes.length} conflict${
          causes.length > 1 ? 's' : ''
        }: ${
          causes.length === 1
            ? `${causes[0].message}: ${causes[0].field}`
            : `\n${list}`
        }`,
        causes,
      );
    }
    const next = this.normalizeIncoming(target, result.object, target.name);
    this.validateWrite(target, next);
    if (
      live &&
      sameValue(stripVolatile(live), stripVolatile(next)) &&
      sameValue(
        withoutTimes(live.metadata.managedFields),
        withoutTimes(toManagedFields(result.entries)),
      )
    ) {
      return { code: 200, object: this.present(target, live) };
    }
    const stored = this.store(target, key, live, next, result.entries, dryRun);
    return { code: live ? 200 : 201, object: stored };
  }

  private commit(
    target: ResourcePath,
    key: string,
    live: KubeObject | undefined,
    obj: KubeObject,
    manager: string,
    dryRun: boolean,
  ) {
    const entries = recordUpdate({
      before: live,
      after: obj,
      entries: fromManagedFields(live?.metadata.managedFields),
      manager,
      apiVersion: groupVersion(target.type.group, target.version),
      now: this.now(),
    });
    return this.store(target, key, live, obj, entries, dryRun);
  }

  private store(
    target: ResourcePath,
    key: string,
    live: KubeObject | undefined,
    obj: KubeObject,
    entries: ManagedEntry[],
    dryRun: boolean,
  ) {
    const next = structuredClone(obj);
    next.metadata.managedFields = toManagedFields(entries);
    if (dryRun) {
      // Validated and computed, not stored: the answer looks like the write's, nothing changes.
      const preview = structuredClone(next);
      preview.metadata.uid = live?.metadata.uid ?? crypto.randomUUID();
      preview.metadata.creationTimestamp =
        live?.metadata.creationTimestamp ?? this.now();
      preview.metadata.generation = live?.metadata.generation ?? 1;
      preview.metadata.resourceVersion = live?.metadata.resourceVersion ?? '';
      return this.present(target, preview);
    }
    this.stamp(next, live);
    this.objects.set(key, next);
    this.writes.record({
      verb: this.currentVerb,
      kind: target.type.kind,
      namespace: next.metadata.namespace,
      name: next.metadata.name,
      resourceVersion: next.metadata.resourceVersion,
      annotations: next.metadata.annotations,
      spec: next.spec,
    });
    return this.present(target, next);
  }

  private remove(target: ResourcePath, options: KubeObject, dryRun: boolean) {
    const key = this.key(target.type, target.namespace, target.name!);
    const live = this.objects.get(key);
    if (!live) throw notFound(this.ref(target));
    const preconditions = options.preconditions ?? {};
    for (const [field, label] of [
      ['uid', 'UID'],
      ['resourceVersion', 'ResourceVersion'],
    ] as const) {
      const wanted = preconditions[field];
      if (wanted && wanted !== live.metadata[field]) {
        throw conflict(
          this.ref(target),
          `Operation cannot be fulfilled on ${target.type.resource}${
            target.type.group ? `.${target.type.group}` : ''
          } "${
            target.name
          }": Precondition failed: ${label} in precondition: ${wanted}, ${label} in object meta: ${
            live.metadata[field]
          }`,
        );
      }
    }
    if (!dryRun) {
      this.objects.delete(key);
      const resourceVersion = this.nextResourceVersion();
      this.writes.record({
        verb: 'delete',
        kind: target.type.kind,
        namespace: live.metadata.namespace,
        name: live.metadata.name,
        resourceVersion,
        annotations: live.metadata.annotations,
      });
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: target.name,
        group: target.type.group,
        kind: target.type.resource,
        uid: live.metadata.uid,
      },
    };
  }
}

/** Most clients send apply bodies as JSON (a subset of YAML): decode those as JSON, which is far cheaper. */
function parseJsonOrYaml(body: string): KubeObject {
  try {
    return JSON.parse(body);
  } catch {
    return parseYaml(body);
  }
}

function stripVolatile(o: KubeObject) {
  const { metadata, ...rest } = o;
  const {
    managedFields: _m,
    resourceVersion: _r,
    generation: _g,
    ...meta
  } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/** managedFields less their times: an apply that changes nothing leaves the object as it was. */
function withoutTimes(entries: unknown) {
  return Array.isArray(entries)
    ? entries.map(({ time: _t, ...rest }) => rest)
    : entries;
}
