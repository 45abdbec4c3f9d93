import { AuditorService } from '@backstage/backend-plugin-api';
import {
  ApplyResponse,
  RolloutState,
} from '@meshtraffic/backstage-plugin-mesh-common';
import express from 'express';
import { ApplyOutcome } from '../apply/MeshApplier';

/**
 * Every attempt to change a cluster is an audit event, refused ones included: who, which entity,
 * and the outcome per cluster or the reason it was refused.
 */
export function auditedChange(auditor: AuditorService) {
  return async function audited<
    T extends ApplyOutcome | ApplyResponse | RolloutState,
  >(origin: ChangeOrigin, eventId: string, work: () => Promise<T>) {
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      // A route's request names its caller; an action's caller is named in the event itself.
      ...(origin.request ? { request: origin.request } : {}),
      meta: {
        entityRef: origin.entityRef,
        ...(origin.actor ? { actor: origin.actor } : {}),
        ...(origin.viaAction ? { viaAction: origin.viaAction } : {}),
      },
    });
    try {
      const outcome = await work();
      if ('waves' in outcome) {
        await event.success({
          meta: { rolloutId: outcome.id, status: outcome.status },
        });
      } else if ('valid' in outcome && !outcome.valid) {
        await event.success({
          meta: { valid: false, issues: outcome.issues.map(i => i.path) },
        });
      } else {
        const r = outcome as ApplyResponse;
        await event.success({
          meta: {
            ok: r.ok,
            historyId: r.historyId,
            clusters: r.clusters.map(c => `${c.cluster}:${c.outcome}`),
          },
        });
      }
      return outcome;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  };
}

/** Where a change came from: a route's request, or an action of the Actions Registry and its caller. */
export interface ChangeOrigin {
  entityRef: string;
  request?: express.Request;
  actor?: string;
  viaAction?: string;
}
