import {
  externalControlPlane,
  multiPrimary,
  primaryRemote,
  reviewsWorkloads,
} from '../__testUtils__/bookinfo';
import { placeConfig, PlacementError } from './placement';

describe('placeConfig', () => {
  it('writes to every primary of a multi-primary mesh and never to a remote', () => {
    expect(placeConfig(multiPrimary, reviewsWorkloads)).toEqual({
      kind: 'multi-primary',
      configClusters: ['east', 'west'],
      workloadClusters: ['east', 'west'],
    });
  });

  it('writes only to the primary of a primary-remote mesh', () => {
    const workloads = [
      { cluster: 'satellite-a', version: 'v1', replicas: 2, readyReplicas: 2 },
    ];
    expect(placeConfig(primaryRemote, workloads)).toEqual({
      kind: 'primary-remote',
      configClusters: ['main'],
      workloadClusters: ['satellite-a'],
    });
  });

  it('writes only to the config cluster of an external control plane', () => {
    const placement = placeConfig(externalControlPlane, []);
    expect(placement.kind).toBe('external-control-plane');
    expect(placement.configClusters).toEqual(['control']);
  });

  it('tells a single-cluster mesh by its roles', () => {
    const one = {
      id: 'one',
      clusters: [{ name: 'solo', role: 'primary' as const }],
    };
    expect(placeConfig(one)).toMatchObject({
      kind: 'single-primary',
      configClusters: ['solo'],
    });
  });

  it('refuses a mesh with no config cluster, naming it', () => {
    const onlyRemotes = {
      id: 'broken',
      clusters: [{ name: 'r1', role: 'remote' as const }],
    };
    expect(() => placeConfig(onlyRemotes)).toThrow(PlacementError);
    expect(() => placeConfig(onlyRemotes)).toThrow(
      /mesh broken has no cluster that holds routing config/,
    );
  });
});
