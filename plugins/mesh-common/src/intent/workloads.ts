/** One version of a service running in one cluster, as discovery reports it. */
export interface WorkloadVersion {
  cluster: string;
  version: string;
  replicas: number;
  readyReplicas: number;
}
