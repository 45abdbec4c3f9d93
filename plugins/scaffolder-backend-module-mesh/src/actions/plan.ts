import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { meshTrafficInput } from './inputSchema';
import { MeshActionDeps, planForTask } from './planAndReport';
import { planOutput } from './outputSchema';

/**
 * `mesh:traffic:plan`: what a change would do on each config cluster, with the dry-run verdict. Writes nothing.
 *
 * @public
 */
export function createMeshTrafficPlanAction(deps: MeshActionDeps) {
  return createTemplateAction({
    id: 'mesh:traffic:plan',
    description:
      "Plans a change of a mesh service's Istio routing: per config cluster the objects to create, update or delete and the API server's dry-run verdict. Writes nothing.",
    examples: [
      {
        description: 'Plan a 90/10 split of reviews between v1 and v2',
        example:
          'steps:\n  - id: plan\n    action: mesh:traffic:plan\n    input:\n      entityRef: component:default/reviews\n      change:\n        split:\n          - { version: v1, weight: 90 }\n          - { version: v2, weight: 10 }\n',
      },
    ],
    supportsDryRun: true,
    schema: { input: meshTrafficInput, output: planOutput },
    async handler(ctx) {
      const { request, outputs } = await planForTask(ctx, deps);
      ctx.logger.info(
        `Planned the routing of ${request.ref.name}:\n${outputs.summary}`,
      );
    },
  });
}
