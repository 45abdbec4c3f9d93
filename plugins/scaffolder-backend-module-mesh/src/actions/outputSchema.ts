import { SchemaFields, ScaffolderZod as Z } from './scaffolderZod';

export const planOutput: SchemaFields = {
  revision: (z: Z) =>
    z.string({
      description: 'The revision of the live routing the plan was made against',
    }),
  needsAdoption: (z: Z) =>
    z.boolean({
      description: 'Foreign routing for the host would be replaced',
    }),
  plan: (z: Z) =>
    z.array(
      z.object({
        cluster: z.string(),
        dryRun: z.string({
          description: 'passed, or refused with the API server message',
        }),
        changes: z.array(
          z.object({
            kind: z.string(),
            name: z.string(),
            action: z.string({
              description: 'create, update, delete or unchanged',
            }),
          }),
        ),
      }),
      { description: 'Per config cluster, what would change' },
    ),
  summary: (z: Z) =>
    z.string({
      description: 'The plan as text, a line per object per cluster',
    }),
  meshTabUrl: (z: Z) =>
    z.string({ description: "The entity's Mesh tab in the portal" }),
};

export const applyOutput: SchemaFields = {
  ...planOutput,
  ok: (z: Z) =>
    z
      .boolean({
        description:
          'Every config cluster took the change (false: the changed ones were put back)',
      })
      .optional(),
  historyId: (z: Z) =>
    z.number({ description: 'The history entry of this change' }).optional(),
  rolloutId: (z: Z) =>
    z
      .number({
        description:
          'The rollout the change started, when given waves: its first wave is what clusters reports',
      })
      .optional(),
  clusters: (z: Z) =>
    z
      .array(
        z.object({
          cluster: z.string(),
          outcome: z.string({
            description: 'applied, unchanged, restored, failed or unreachable',
          }),
          message: z.string().optional(),
        }),
        {
          description: 'Per config cluster, what happened',
        },
      )
      .optional(),
  catalogInfo: (z: Z) =>
    z
      .record(z.unknown(), {
        description:
          'The entity with its mesh annotations, as its catalog-info.yaml should read (for onboarding)',
      })
      .optional(),
  catalogInfoYaml: (z: Z) =>
    z.string({ description: 'That entity as YAML' }).optional(),
};
