/**
 * Who decides which people may change an entity's routing: `owners` (the default) keeps the
 * plugin's own rule on top of the permission policy, so a portal whose policy allows everything
 * (a new app's allow-all policy, or permissions disabled) still lets only the entity's owners and
 * the mesh admins write; `permission-policy` hands that decision wholly to the policy.
 *
 * @public
 */
export type WriteAccess = 'owners' | 'permission-policy';
/** @public */
export const WRITE_ACCESS: readonly WriteAccess[] = [
  'owners',
  'permission-policy',
];
