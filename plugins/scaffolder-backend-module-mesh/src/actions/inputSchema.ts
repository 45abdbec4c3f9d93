import type { RolloutRequest } from '@meshtraffic/backstage-plugin-mesh-common';
import { SchemaFields, ScaffolderZod as Z } from './scaffolderZod';

/**
 * The input both actions take, as the portal's actions list shows it. The contents of `intent` and
 * `change` are checked by mesh-common (every problem with its path) and by the mesh backend.
 */
export const meshTrafficInput: SchemaFields = {
  entityRef: (z: Z) =>
    z
      .string({
        description:
          'The catalog entity of the service, e.g. component:default/reviews. Its mesh.meshtraffic.io annotations name the mesh, namespace and service; for an entity without them, give mesh, namespace and service to onboard it.',
      })
      .optional(),
  mesh: (z: Z) =>
    z
      .string({
        description:
          'The mesh id (mesh.meshes[].id in app-config), e.g. demo. With namespace and service, instead of entityRef, or to onboard an entity.',
      })
      .optional(),
  namespace: (z: Z) =>
    z
      .string({
        description: 'The Kubernetes namespace of the service, e.g. bookinfo.',
      })
      .optional(),
  service: (z: Z) =>
    z
      .string({
        description:
          'The Kubernetes Service, e.g. reviews. Defaults to the entity name when onboarding.',
      })
      .optional(),
  intent: (z: Z) =>
    z
      .record(z.unknown(), {
        description:
          'A whole traffic intent, replacing the current one, e.g. { split: [{ version: v1, weight: 90 }, { version: v2, weight: 10 }] }. Give either intent or change.',
      })
      .optional(),
  change: (z: Z) =>
    z
      .object(
        {
          split: splitChange(z),
          canary: canaryChange(z),
          mirror: mirrorChange(z),
          fault: faultChange(z),
        },
        {
          description:
            'A partial change on top of the current intent. Give either intent or change.',
        },
      )
      .optional(),
  adopt: (z: Z) =>
    z
      .boolean({
        description:
          'Take over foreign routing (Kiali, Flagger, Argo Rollouts, hand-written) for the host',
      })
      .optional(),
};

/** `mesh:traffic:apply` takes, besides, the waves to roll the change out in. */
export const meshTrafficApplyInput: SchemaFields = {
  ...meshTrafficInput,
  rollout: (z: Z) =>
    z
      .object(
        {
          waves: z.array(z.array(z.string()), {
            description:
              'Groups of config clusters in order, e.g. [[east], [west]]: one cluster at a time',
          }),
          bakeSeconds: z.number({
            description: 'Seconds each wave bakes before the next',
          }),
          checks: z
            .object(
              {
                successRateMin: z.number().optional(),
                minRequests: z.number(),
              },
              {
                description:
                  'Judged between waves on the clusters done, from the mesh Prometheus',
              },
            )
            .optional(),
        },
        {
          description:
            'Roll the change out in waves instead of all at once; the scheduler carries it on after the first wave',
        },
      )
      .optional(),
  confirmDenied: (z: Z) =>
    z
      .array(z.string(), {
        description:
          'When the intent changes who may call the service: the callers (namespace/service) the plan says it turns away, named to confirm it; ["*"] when the plan could not see them. Without it such a change is refused.',
      })
      .optional(),
};

export interface MeshTrafficInput {
  entityRef?: string;
  mesh?: string;
  namespace?: string;
  service?: string;
  intent?: Record<string, unknown>;
  change?: Record<string, unknown>;
  adopt?: boolean;
  rollout?: RolloutRequest;
  confirmDenied?: string[];
}

function splitChange(z: Z) {
  return z
    .array(
      z.object({
        version: z.string({
          description: 'A version label of the service, e.g. v2',
        }),
        cluster: z
          .string({ description: 'Narrows the destination to one cluster' })
          .optional(),
        weight: z.number({
          description:
            'Percent of the default route, 0..100; all weights sum to 100',
        }),
      }),
      { description: 'A new default split; ends any canary' },
    )
    .optional();
}

function canaryChange(z: Z) {
  return z
    .object(
      {
        action: z.enum(['start', 'advance', 'promote', 'abort'], {
          description: 'start needs baseline, candidate and steps',
        }),
        baseline: z.string().optional(),
        candidate: z.string().optional(),
        steps: z
          .array(z.number(), {
            description:
              'Percent to the candidate at each step, increasing, e.g. [5, 25, 50, 100]',
          })
          .optional(),
        testers: z
          .object(
            {
              header: z.string().optional(),
              cookie: z.string().optional(),
              value: z.string(),
            },
            {
              description:
                'Requests with this header (or cookie) value go straight to the candidate',
            },
          )
          .optional(),
        auto: z
          .boolean({
            description:
              'Let the analysis advance, promote or abort the canary by its metrics (needs analysis)',
          })
          .optional(),
        analysis: z
          .object(
            {
              interval: z.string({
                description:
                  'How long each step runs before it is judged, e.g. 1m',
              }),
              successRateMin: z
                .number({ description: 'Least percent without a 5xx' })
                .optional(),
              latency: z
                .object({ percentile: z.number(), maxMs: z.number() })
                .optional(),
              minRequests: z.number({
                description:
                  'Requests per cluster an interval needs to be judged',
              }),
              failureLimit: z.number({
                description: 'Failed intervals before the canary is aborted',
              }),
            },
            { description: 'The checks every cluster must pass, per interval' },
          )
          .optional(),
      },
      { description: 'A canary step' },
    )
    .optional();
}

function mirrorChange(z: Z) {
  return z
    .object(
      {
        version: z.string(),
        cluster: z.string().optional(),
        percent: z.number(),
      },
      {
        description:
          'Mirror a share of traffic to a version; null removes the mirror',
      },
    )
    .nullable()
    .optional();
}

function faultChange(z: Z) {
  return z
    .record(z.unknown(), {
      description:
        'A fault: { delay: { fixed: 5s, percent: 10 } } and/or { abort: { httpStatus: 503, percent: 1 } }, with scope: all or { header, value } (the default is all traffic); null removes it',
    })
    .nullable()
    .optional();
}
