/**
 * A multi-cluster Kubernetes API sandbox for development, tests and benchmarks.
 *
 * @packageDocumentation
 */
export { startSandbox } from './sandbox';
export type {
  Sandbox,
  SandboxCluster,
  SandboxFaults,
  StartSandboxOptions,
} from './sandbox';
export { loadTopology, loadTopologies } from './topology';
export type {
  Topology,
  TopologyCluster,
  TopologyMesh,
  TopologyWorkload,
} from './topology';
export type { FailureRule } from './faults';
export type { AcceptedWrite } from './writeLog';
export { SimulatedCluster } from './cluster';
export { makeClusterCertificates } from './certs';
export type { ClusterCertificates } from './certs';
export { topologyPath } from './topologies';
export { TrafficModel } from './telemetry/trafficModel';
export type { Behaviour } from './telemetry/trafficModel';
export {
  startPrometheus,
  scrapeConfig,
  PROMETHEUS_BINARY,
} from './telemetry/prometheus';
export type { RunningPrometheus, ScrapedCluster } from './telemetry/prometheus';
export { CrdValidator } from './validation';
