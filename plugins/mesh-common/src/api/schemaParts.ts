import { z } from 'zod';

/** Pieces the response schemas share; not part of the package's API. */

export const clusterRole = z.enum(['primary', 'remote', 'config']);
export const clusterHolds = z.enum(['intended', 'before', 'other', 'unknown']);
export const changeState = z.enum([
  'pending',
  'applied',
  'failed',
  'restore-failed',
  'interrupted',
]);
export const action = z.enum(['apply', 'rollback', 'remove']);
/** @public */
export const meshKind = z.enum([
  'multi-primary',
  'primary-remote',
  'single-primary',
  'external-control-plane',
  'mixed',
]);

// Compile-time: each schema's type and the TypeScript type are the same, both ways.
// Keys are compared too: an optional field on one side only would otherwise pass both ways.
export type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
export const same = <T extends true>(..._checks: T[]) => undefined;
