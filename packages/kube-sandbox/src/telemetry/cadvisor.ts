type KubeObject = Record<string, any>;

/** A small stable number in [0, 1) from a pod's name: each proxy differs, every scrape the same. */
function spread(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++)
    h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

const MIB = 1024 * 1024;

/**
 * The `istio-proxy` containers' series as the kubelet's cAdvisor exposes them and a cluster's
 * Prometheus scrapes them: CPU seconds used (a counter: 3 to 5 millicores a proxy, steady) and
 * the working set (40 to 60 MiB), for every running pod given a sidecar. A pod not running has no
 * container and no series, as on a real node.
 */
export function proxyContainerMetrics(
  pods: KubeObject[],
  elapsedSeconds: number,
): string {
  const running = pods.filter(
    p =>
      p.status?.phase === 'Running' &&
      (p.spec?.containers ?? []).some(
        (c: KubeObject) => c.name === 'istio-proxy',
      ),
  );
  const labels = (p: KubeObject) =>
    `{container="istio-proxy",namespace="${p.metadata.namespace}",pod="${p.metadata.name}"}`;
  return [
    '# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.',
    '# TYPE container_cpu_usage_seconds_total counter',
    ...running.map(
      p =>
        `container_cpu_usage_seconds_total${labels(p)} ${(
          elapsedSeconds *
          (0.003 + 0.002 * spread(p.metadata.name))
        ).toFixed(6)}`,
    ),
    '# HELP container_memory_working_set_bytes Current working set in bytes.',
    '# TYPE container_memory_working_set_bytes gauge',
    ...running.map(
      p =>
        `container_memory_working_set_bytes${labels(p)} ${Math.round(
          (40 + 20 * spread(p.metadata.name)) * MIB,
        )}`,
    ),
    '',
  ].join('\n');
}
