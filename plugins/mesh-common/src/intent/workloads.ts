/**
 * One version of a service running in one cluster, as discovery reports it.
 *
 * @public
 */
export interface WorkloadVersion {
  cluster: string;
  version: string;
  replicas: number;
  readyReplicas: number;
}

/**
 * The versions a service runs anywhere, each once, sorted.
 *
 * @public
 */
export function runningVersions(workloads: WorkloadVersion[]): string[] {
  return [...new Set(workloads.map(w => w.version))].sort();
}
