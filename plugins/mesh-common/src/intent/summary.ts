import { TrafficIntent } from './schema';

const destinations = (split: TrafficIntent['split']) =>
  split
    .map(d => `${d.version}${d.cluster ? `@${d.cluster}` : ''} ${d.weight}`)
    .join(' / ');

/**
 * One line that says what an intent does, for lists: "v1 80 / v3 20 · canary step 1 of 4 (auto)".
 *
 * @public
 */
export function intentSummary(intent: TrafficIntent): string {
  const parts = [destinations(intent.split)];
  const canary = intent.canary;
  if (canary)
    parts.push(
      `canary ${canary.candidate} step ${canary.step} of ${
        canary.steps.length
      }${canary.auto ? ' (auto)' : ''}`,
    );
  if (intent.routes?.length)
    parts.push(
      `${intent.routes.length} route${intent.routes.length > 1 ? 's' : ''}`,
    );
  if (intent.mirror)
    parts.push(`mirror ${intent.mirror.version} ${intent.mirror.percent}%`);
  if (intent.fault) parts.push('fault');
  if (intent.timeout) parts.push(`timeout ${intent.timeout}`);
  if (intent.loadBalancer)
    parts.push(
      intent.loadBalancer.consistentHash
        ? 'sticky'
        : intent.loadBalancer.simple!.toLowerCase().replace('_', ' '),
    );
  return parts.join(' · ');
}
