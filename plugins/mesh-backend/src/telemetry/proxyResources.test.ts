import http from 'node:http';
import { AddressInfo } from 'node:net';
import { MeshConfig } from '../config/readMeshConfig';
import { MeshMetrics } from './MeshMetrics';

/** A Prometheus that answers each query with the series given for its metric, whatever the rest. */
async function fakePrometheus(
  byMetric: Record<string, Array<[string, number]>>,
) {
  const server = http.createServer((req, res) => {
    const query = new URL(req.url!, 'http://x').searchParams.get('query')!;
    const metric = Object.keys(byMetric).find(m => query.includes(m))!;
    const kind = query.startsWith('count') ? 'count' : metric;
    const rows = byMetric[kind] ?? byMetric[metric];
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: rows.map(([cluster, value]) => ({
            metric: { cluster },
            value: [0, String(value)],
          })),
        },
      }),
    );
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise(r => server.close(r)),
  };
}

describe('the proxies’ resources of a mesh', () => {
  it('keeps only the mesh’s own clusters when its Prometheus also scrapes another mesh’s, mapped by clusterLabels', async () => {
    const prometheus = await fakePrometheus({
      container_cpu_usage_seconds_total: [
        ['cluster-east', 0.02],
        ['dock', 0.5],
      ],
      container_memory_working_set_bytes: [
        ['cluster-east', 100 * 1024 * 1024],
        ['dock', 1],
      ],
      count: [
        ['cluster-east', 4],
        ['dock', 9],
      ],
    });
    try {
      const mesh = {
        id: 'demo',
        clusters: [{ name: 'east' }, { name: 'west' }],
        prometheus: {
          url: prometheus.url,
          clusterLabels: { east: 'cluster-east' },
          requestTimeoutMs: 2000,
        },
      } as unknown as MeshConfig;
      expect(await new MeshMetrics().proxyResources(mesh)).toEqual([
        {
          cluster: 'east',
          proxies: 4,
          cpuCores: 0.02,
          memoryBytes: 100 * 1024 * 1024,
        },
      ]);
    } finally {
      await prometheus.close();
    }
  });
});
