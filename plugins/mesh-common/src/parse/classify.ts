import { MeshTarget } from '../entity/target';
import { generateRouting, serviceHost } from '../generate/generate';
import { canonicalJson, intentHash } from '../generate/hash';
import { DestinationRuleObject, RoutingObject, VirtualServiceObject } from '../generate/istioTypes';
import { ENTITY_REF_ANNOTATION, INTENT_HASH_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../generate/metadata';
import { TrafficIntent } from '../intent/schema';
import { parseRouting, RoutingParseError } from './parse';

/** Who writes a routing object, as far as its metadata tells. */
export type RoutingOwner = 'backstage-mesh' | 'kiali' | 'flagger' | 'argo-rollouts' | 'hand-written';

export type RoutingStatus = 'ours' | 'drifted' | 'foreign';

export const ARGO_ROLLOUTS_MANAGED_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';
export const KIALI_WIZARD_LABEL = 'kiali_wizard';

export function routingOwner(obj: RoutingObject): RoutingOwner {
  const meta = obj.metadata;
  if (meta.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) return 'backstage-mesh';
  if (meta.labels?.[KIALI_WIZARD_LABEL] !== undefined) return 'kiali';
  if (meta.ownerReferences?.some(r => r.kind === 'Canary' && r.apiVersion.startsWith('flagger.app/'))) return 'flagger';
  if (meta.annotations?.[ARGO_ROLLOUTS_MANAGED_ANNOTATION] !== undefined) return 'argo-rollouts';
  return 'hand-written';
}

/** The names a host can be written by in the service's own namespace. */
function hostAliases(target: Pick<MeshTarget, 'service' | 'namespace'>): string[] {
  const fqdn = serviceHost(target);
  return [target.service, `${target.service}.${target.namespace}`, `${target.service}.${target.namespace}.svc`, fqdn];
}

/** Whether a live object routes the target's host (by any of the names Istio resolves to it). */
export function routesHost(obj: RoutingObject, target: Pick<MeshTarget, 'service' | 'namespace'>): boolean {
  const names = hostAliases(target);
  if (obj.kind === 'VirtualService') return (obj.spec.hosts ?? []).some(h => names.includes(h));
  return obj.spec.host !== undefined && names.includes(obj.spec.host);
}

export interface ClassifiedObject {
  kind: RoutingObject['kind'];
  name: string;
  namespace: string;
  status: RoutingStatus;
  owner: RoutingOwner;
  /** Why an object of ours counts as drifted. */
  reason?: string;
}

export interface ClassifiedRouting {
  objects: ClassifiedObject[];
  /** The intent our objects express, when they exist, agree with each other and have not drifted. */
  intent?: TrafficIntent;
}

function comparableSpec(obj: RoutingObject) {
  return canonicalJson(obj.spec);
}

/**
 * Sorts a cluster's live routing objects for the target's host into ours, drifted (ours, but the
 * spec no longer is what the recorded intent generates) and foreign (with their owner), and reads
 * back the intent our unchanged objects came from.
 */
export function classifyRouting(target: MeshTarget, live: RoutingObject[]): ClassifiedRouting {
  const forHost = live.filter(o => routesHost(o, target));
  const ours = forHost.filter(o => routingOwner(o) === 'backstage-mesh' && o.metadata.name === target.service);
  const vs = ours.find((o): o is VirtualServiceObject => o.kind === 'VirtualService');
  const dr = ours.find((o): o is DestinationRuleObject => o.kind === 'DestinationRule');

  let intent: TrafficIntent | undefined;
  let drift: string | undefined;
  if (vs && dr) {
    try {
      intent = parseRouting(vs, dr);
      const hash = intentHash(intent);
      const expected = generateRouting(target, intent);
      if (vs.metadata.annotations?.[INTENT_HASH_ANNOTATION] !== hash || dr.metadata.annotations?.[INTENT_HASH_ANNOTATION] !== hash) {
        drift = 'the recorded intent hash does not match the spec (edited by hand since it was applied)';
      } else if (expected.some(e => comparableSpec(e) !== comparableSpec(e.kind === 'VirtualService' ? vs : dr))) {
        drift = 'the spec holds fields the intent did not generate (edited by hand since it was applied)';
      }
    } catch (e) {
      drift = e instanceof RoutingParseError ? `edited by hand: ${e.message}` : String(e);
    }
    if (drift) intent = undefined;
  } else if (vs || dr) {
    drift = `the ${vs ? 'DestinationRule' : 'VirtualService'} it needs is missing`;
  }

  const objects = forHost.map((o): ClassifiedObject => {
    const owner = routingOwner(o);
    const isOurs = ours.includes(o);
    const base = { kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace, owner };
    if (!isOurs) return { ...base, status: 'foreign' };
    const entityMismatch = o.metadata.annotations?.[ENTITY_REF_ANNOTATION] !== target.entityRef;
    if (entityMismatch) {
      return { ...base, status: 'drifted', reason: `written for ${o.metadata.annotations?.[ENTITY_REF_ANNOTATION] ?? 'another entity'}` };
    }
    return drift ? { ...base, status: 'drifted', reason: drift } : { ...base, status: 'ours' };
  });
  const clean = objects.every(o => o.status !== 'drifted');
  return { objects, intent: clean ? intent : undefined };
}
