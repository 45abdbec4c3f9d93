import { stringify } from 'yaml';
import type { ClusterPlan } from '../api/types';

/**
 * What a plan writes to one cluster, as `kubectl apply -f` would take it: every object created or
 * updated, in apply order, one YAML document each; deletions as comments, since there is nothing
 * to apply for them.
 *
 * @public
 */
export function clusterPlanYaml(
  plan: Pick<ClusterPlan, 'cluster' | 'changes'>,
) {
  const header = `# ${plan.cluster}: its routing objects after this change\n`;
  const documents = plan.changes.map(change =>
    change.action === 'delete' || !change.object
      ? `# ${change.action}: ${change.kind} ${change.namespace ?? ''}/${
          change.name
        }\n`
      : stringify(change.object, { sortMapEntries: false }),
  );
  return [header, ...documents].join('---\n');
}
