import {
  HostTraffic,
  MeshTarget,
  ServiceGraph,
  serviceHost,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { LiveStateReader } from '../read/LiveStateReader';
import { MeshMetrics } from './MeshMetrics';

/** An entity's host's live traffic, next to the split its config clusters hold. */
export class HostMetrics {
  constructor(
    private readonly state: LiveStateReader,
    private readonly metrics: MeshMetrics,
  ) {}

  async traffic(target: MeshTarget, window: string): Promise<HostTraffic> {
    const mesh = this.state.meshFor(target);
    const [traffic, live] = await Promise.all([
      this.metrics.traffic(mesh, serviceHost(target), window),
      this.state.read(target),
    ]);
    return {
      ...traffic,
      ...(live.intent ? { configured: live.intent.split } : {}),
    };
  }

  /** The clusters of the host's mesh that Prometheus has telemetry from, over the window. */
  reportingClusters(target: MeshTarget, window: string): Promise<string[]> {
    return this.metrics.reportingClusters(this.state.meshFor(target), window);
  }

  /** Who calls the host and whom it calls, per cluster and version, over the window. */
  graph(target: MeshTarget, window: string): Promise<ServiceGraph> {
    return this.metrics.graph(
      this.state.meshFor(target),
      serviceHost(target),
      window,
    );
  }
}
