import { JsonObject } from '@backstage/types';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { catalogInfoYaml, onboardedEntity } from './catalogInfo';
import { meshTrafficApplyInput } from './inputSchema';
import { applyOutput } from './outputSchema';
import { invalidIntentError } from './resolveRequest';
import { MeshActionDeps, planForTask } from './planAndReport';
import { applySummary } from './summary';

/**
 * `mesh:traffic:apply`: plans, then applies on every config cluster of the mesh, all or nothing,
 * through the mesh backend (its validation, permission check and history, tagged with the task).
 * In the scaffolder's dry-run mode it only plans.
 *
 * @public
 */
export function createMeshTrafficApplyAction(deps: MeshActionDeps) {
  return createTemplateAction({
    id: 'mesh:traffic:apply',
    description:
      "Changes a mesh service's Istio routing on every config cluster of its mesh, all or nothing, as the Mesh tab does: the same validation, permission check and history (tagged with this task). A dry run only plans.",
    examples: [
      {
        description:
          'Start a canary of reviews v2 with testers sent to it by a header',
        example:
          'steps:\n  - id: canary\n    action: mesh:traffic:apply\n    input:\n      entityRef: component:default/reviews\n      change:\n        canary:\n          action: start\n          baseline: v1\n          candidate: v2\n          steps: [5, 25, 50, 100]\n          testers: { header: x-canary, value: always }\n',
      },
      {
        description:
          'Onboard an entity without mesh annotations with a first intent',
        example:
          'steps:\n  - id: onboard\n    action: mesh:traffic:apply\n    input:\n      entityRef: component:default/ratings\n      mesh: demo\n      namespace: bookinfo\n      intent:\n        split: [{ version: v1, weight: 100 }]\n',
      },
    ],
    supportsDryRun: true,
    schema: { input: meshTrafficApplyInput, output: applyOutput },
    async handler(ctx) {
      const {
        credentials,
        request,
        plan,
        outputs: planned,
      } = await planForTask(ctx, deps);
      const entity = onboardedEntity(request.entity, request.target);
      ctx.output('catalogInfo', entity as unknown as JsonObject);
      ctx.output('catalogInfoYaml', catalogInfoYaml(entity));
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: planned only.\n${planned.summary}`);
        return;
      }

      const result = await deps.client.apply(credentials, request.ref, {
        intent: request.intent,
        revision: plan.revision,
        adopt: ctx.input.adopt === true,
        scaffolderTaskId: ctx.task.id,
        onboarding: request.onboarding,
        ...(ctx.input.rollout ? { rollout: ctx.input.rollout } : {}),
        ...(ctx.input.confirmDenied
          ? { confirmDenied: ctx.input.confirmDenied }
          : {}),
      });
      if ('valid' in result) throw invalidIntentError(result.issues);
      ctx.output('ok', result.ok);
      ctx.output('historyId', result.historyId);
      if (result.rolloutId) ctx.output('rolloutId', result.rolloutId);
      ctx.output(
        'clusters',
        result.clusters.map(c => ({ ...c })),
      );
      ctx.output('summary', applySummary(result));
      ctx.logger.info(applySummary(result));
      if (!result.ok) throw new Error(applySummary(result));
    },
  });
}
