import { loadTopology } from '../topology';
import { topologyPath } from '../topologies';
import { Topology } from '../topology';

/** A shipped topology on ephemeral ports, so tests never collide with a running dev sandbox. */
export function shippedTopology(name: string): Topology {
  const topology = loadTopology(topologyPath(name));
  for (const mesh of topology.meshes) for (const c of mesh.clusters) delete c.port;
  return topology;
}
