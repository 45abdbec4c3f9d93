import http from 'node:http';
import { SimulatedCluster } from './cluster';
import { FailureRule } from './faults';

/**
 * The sandbox's admin endpoint, apart from the Kubernetes paths, for scripts and other
 * processes (benchmarks, the e2e tests):
 *   GET  /clusters                         names, urls, up/down, latency, request counts
 *   GET  /clusters/:name/writes?since=N  the writes it accepted after seq N, oldest first
 *   POST /clusters/:name/latency  {ms}          before a request is handled
 *   POST /clusters/:name/answer-delay  {ms}     after a write has landed, before its answer
 *   POST /clusters/:name/fail     {verb?, resource?, status, count? | fraction?}
 *   POST /clusters/:name/down | /up | /reset (clears faults, counters and the write log)
 */
export function startAdminServer(
  clusters: Map<string, SimulatedCluster>,
  port = 0,
): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length
        ? JSON.parse(Buffer.concat(chunks).toString('utf8'))
        : {};
      const parts = (req.url ?? '/').split('?')[0].split('/').filter(Boolean);
      if (
        req.method === 'GET' &&
        parts.length === 1 &&
        parts[0] === 'clusters'
      ) {
        send(
          200,
          [...clusters.values()].map(c => ({
            name: c.name,
            url: c.url,
            up: c.isUp,
            latencyMs: c.faults.latencyMs,
            requests: c.faults.requestCounts(),
          })),
        );
        return;
      }
      const cluster =
        parts[0] === 'clusters' ? clusters.get(parts[1]) : undefined;
      if (
        cluster &&
        req.method === 'GET' &&
        parts.length === 3 &&
        parts[2] === 'writes'
      ) {
        const since = Number(
          new URL(req.url ?? '/', 'http://localhost').searchParams.get(
            'since',
          ) ?? 0,
        );
        send(200, cluster.writes.list(since));
        return;
      }
      if (!cluster || req.method !== 'POST' || parts.length !== 3) {
        send(404, { error: 'not found' });
        return;
      }
      switch (parts[2]) {
        case 'latency':
          cluster.faults.setLatency(Number(body.ms ?? 0));
          break;
        case 'answer-delay':
          cluster.faults.setAnswerDelay(Number(body.ms ?? 0));
          break;
        case 'fail':
          cluster.faults.failNext(body as FailureRule);
          break;
        case 'down':
          await cluster.stop();
          break;
        case 'up':
          await cluster.start();
          break;
        case 'reset':
          cluster.faults.clear();
          cluster.faults.resetCounts();
          cluster.writes.clear();
          break;
        default:
          send(404, { error: `unknown action ${parts[2]}` });
          return;
      }
      send(200, { ok: true });
    } catch (e) {
      send(400, { error: String(e) });
    }
  });
  return new Promise(resolve =>
    server.listen(port, '127.0.0.1', () => resolve(server)),
  );
}
