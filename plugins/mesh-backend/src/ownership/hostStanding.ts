import { MeshTarget } from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * Why a host's entity may not write it now (its namespace bound to other groups, another entity's
 * claim a mesh admin chose), or undefined when it may. Scheduled automation asks before each
 * write it makes on someone's behalf that adds risk (a canary's advance, a rollout's next wave);
 * aborts and expiries, which take risk away, go ahead.
 */
export type HostStandingCheck = (
  target: MeshTarget,
) => Promise<string | undefined>;
