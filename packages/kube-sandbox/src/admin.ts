import http from 'node:http';
import { SimulatedCluster } from './cluster';
import { FailureRule } from './faults';
import { TrafficModel } from './telemetry/trafficModel';

type Answer = { code: number; body: unknown };
const ok: Answer = { code: 200, body: { ok: true } };
const notFound = (error = 'not found'): Answer => ({
  code: 404,
  body: { error },
});

/**
 * The sandbox's admin endpoint, apart from the Kubernetes paths, for scripts and other
 * processes (benchmarks, the e2e tests):
 *   GET  /clusters                         names, urls, up/down, latency, request counts
 *   GET  /clusters/:name/writes?since=N    the writes it accepted after seq N, oldest first
 *   POST /clusters/:name/latency  {ms}          before a request is handled
 *   POST /clusters/:name/answer-delay  {ms}     after a write has landed, before its answer
 *   POST /clusters/:name/fail     {verb?, resource?, status | reset: true, count? | fraction?, after?}
 *   POST /clusters/:name/down | /up | /reset (clears faults, counters and the write log)
 *   POST /clusters/:name/cut-watches          breaks every open watch stream
 *   POST /clusters/:name/compact              forgets the change history: resuming watches get 410 Gone
 *   GET  /meshes/:id/behaviours            every behaviour set in the mesh's traffic model
 *   POST /meshes/:id/behaviours  {namespace, service, version, cluster?, errorRate?, latencyMs?}
 */
export function startAdminServer(
  clusters: Map<string, SimulatedCluster>,
  traffic: Map<string, TrafficModel>,
  port = 0,
): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    let answer: Answer;
    try {
      answer = await route(clusters, traffic, req, await readJson(req));
    } catch (e) {
      answer = { code: 400, body: { error: String(e) } };
    }
    res.writeHead(answer.code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  return new Promise(resolve =>
    server.listen(port, '127.0.0.1', () => resolve(server)),
  );
}

async function readJson(req: http.IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length
    ? JSON.parse(Buffer.concat(chunks).toString('utf8'))
    : {};
}

async function route(
  clusters: Map<string, SimulatedCluster>,
  traffic: Map<string, TrafficModel>,
  req: http.IncomingMessage,
  body: any,
): Promise<Answer> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'meshes' && parts[2] === 'behaviours' && parts.length === 3)
    return behaviours(traffic.get(parts[1]), req.method, body);
  if (req.method === 'GET' && parts.length === 1 && parts[0] === 'clusters') {
    return { code: 200, body: [...clusters.values()].map(describe) };
  }
  const cluster = parts[0] === 'clusters' ? clusters.get(parts[1]) : undefined;
  if (
    cluster &&
    req.method === 'GET' &&
    parts.length === 3 &&
    parts[2] === 'writes'
  ) {
    return {
      code: 200,
      body: cluster.writes.list(Number(url.searchParams.get('since') ?? 0)),
    };
  }
  if (!cluster || req.method !== 'POST' || parts.length !== 3)
    return notFound();
  return act(cluster, parts[2], body);
}

function describe(c: SimulatedCluster) {
  return {
    name: c.name,
    url: c.url,
    up: c.isUp,
    latencyMs: c.faults.latencyMs,
    openWatches: c.openWatches,
    requests: c.faults.requestCounts(),
  };
}

async function act(
  cluster: SimulatedCluster,
  action: string,
  body: any,
): Promise<Answer> {
  switch (action) {
    case 'latency':
      cluster.faults.setLatency(Number(body.ms ?? 0));
      return ok;
    case 'answer-delay':
      cluster.faults.setAnswerDelay(Number(body.ms ?? 0));
      return ok;
    case 'fail':
      cluster.faults.failNext(body as FailureRule);
      return ok;
    case 'down':
      await cluster.stop();
      return ok;
    case 'up':
      await cluster.start();
      return ok;
    case 'cut-watches':
      return { code: 200, body: { cut: cluster.cutWatches() } };
    case 'compact':
      cluster.compactHistory();
      return ok;
    case 'reset':
      cluster.faults.clear();
      cluster.faults.resetCounts();
      cluster.writes.clear();
      return ok;
    default:
      return notFound(`unknown action ${action}`);
  }
}

/** A version's behaviour, checked here because a script's typo should not become NaN traffic. */
function behaviours(
  model: TrafficModel | undefined,
  method: string | undefined,
  body: any,
): Answer {
  if (!model) return notFound('unknown mesh');
  if (method === 'GET') return { code: 200, body: model.behaviourList() };
  if (method !== 'POST') return notFound();
  const { namespace, service, version, cluster, errorRate, latencyMs } = body;
  if (![namespace, service, version].every(v => typeof v === 'string'))
    throw new Error('namespace, service and version are required strings');
  if (errorRate !== undefined && !(errorRate >= 0 && errorRate <= 1))
    throw new Error('errorRate must be a fraction between 0 and 1');
  if (
    latencyMs !== undefined &&
    !(latencyMs.p50 > 0 && latencyMs.p99 >= latencyMs.p50)
  )
    throw new Error('latencyMs needs p50 > 0 and p99 >= p50');
  model.setBehaviour(
    { namespace, service, version, ...(cluster ? { cluster } : {}) },
    {
      ...(errorRate !== undefined ? { errorRate } : {}),
      ...(latencyMs ? { latencyMs } : {}),
    },
  );
  return ok;
}
