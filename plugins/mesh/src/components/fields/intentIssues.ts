import { IntentIssue } from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * The message of the first issue the backend reported for a field, to show beside it. A field is
 * named by the end of its path (`fault.delay.fixed` matches it on the default route and on a
 * route of its own); `under` also takes the field's children (`canary.steps[2]`).
 */
export function issueAt(
  issues: IntentIssue[],
  field: string,
  options: { under?: boolean } = {},
): string | undefined {
  const names = (path: string) => path === field || path.endsWith(`.${field}`);
  const below = (path: string) =>
    options.under && (path.includes(`${field}[`) || path.includes(`${field}.`));
  return issues.find(i => names(i.path) || below(i.path))?.message;
}
