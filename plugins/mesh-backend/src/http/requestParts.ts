import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  ApplyResponse,
  IntentIssue,
  requestIssues,
} from '@meshtraffic/backstage-plugin-mesh-common';
import express from 'express';
import { z } from 'zod';
import { ApplyOutcome } from '../apply/MeshApplier';

/** A request body (or query) as its schema in mesh-common says, or a 400 naming every bad field. */
export function parsed<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  value: unknown,
  what: string,
): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw new InputError(`invalid ${what}: ${requestIssues(result.error)}`);
  return result.data;
}

/**
 * A 400 in Backstage's error shape, plus every problem with its field path, so the UI can put
 * each message beside the field that caused it.
 */
export function invalidIntentBody(issues: IntentIssue[]) {
  return {
    error: {
      name: 'InputError',
      message: `The intent is invalid: ${issues
        .map(i => `${i.path || '(intent)'}: ${i.message}`)
        .join('; ')}`,
    },
    response: { statusCode: 400 },
    issues,
  };
}

/** An apply's answer: its per-cluster outcome, or a 400 with every problem of the intent. */
export function answerApply(res: express.Response, outcome: ApplyOutcome) {
  if (!outcome.valid) {
    res.status(400).json(invalidIntentBody(outcome.issues));
    return;
  }
  const { valid: _valid, ...response } = outcome;
  res.json(response satisfies ApplyResponse);
}

/** Who made a change, as history records it. */
export function actorOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return p.type === 'user'
    ? p.userEntityRef!
    : `${p.type}:${p.subject ?? 'unknown'}`;
}

/**
 * The scaffolder task an apply came from, when a template made it: history tags the change with
 * it. Only a service acting on behalf of a user (the scaffolder's on-behalf-of token) may say so;
 * a person cannot pass their change off as a template's.
 */
export function taskIdOf(
  body: { scaffolderTaskId?: string },
  credentials: BackstageCredentials,
): string | undefined {
  const id = body.scaffolderTaskId;
  if (id === undefined) return undefined;
  const actor = (credentials.principal as { actor?: { type: string } }).actor;
  if (actor?.type !== 'service') {
    throw new InputError(
      'scaffolderTaskId is accepted only from a service acting on behalf of a user (the scaffolder)',
    );
  }
  return id;
}
