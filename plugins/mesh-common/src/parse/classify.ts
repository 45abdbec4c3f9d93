import { MeshTarget } from '../entity/target';
import { generateIstioRouting, serviceHost } from '../generate/generate';
import { intentHash } from '../generate/hash';
import {
  AuthorizationPolicyObject,
  DestinationRuleObject,
  RoutingObject,
  VirtualServiceObject,
} from '../generate/istioTypes';
import {
  AccessParseError,
  parseAuthorizationPolicy,
  withAccess,
} from '../generate/access';
import { INTENT_HASH_ANNOTATION } from '../generate/metadata';
import { readGatewayRouting } from '../gateway/classifyGateway';
import { comparableSpec } from './comparable';
import {
  concernsHost,
  holdsOurName,
  isVersionObject,
  otherHostsOf,
  RoutingOwner,
  RoutingStatus,
  AdoptionEffect,
  routingOwner,
  writtenFor,
} from './hosts';
import { Access, TrafficIntent } from '../intent/schema';
import { parseRouting, RoutingParseError } from './parse';
import { describeGitOps, gitOpsManagement, gitOpsManager } from './gitOps';

export * from './hosts';

/** @public */
export interface ClassifiedObject {
  kind: RoutingObject['kind'];
  name: string;
  namespace: string;
  status: RoutingStatus;
  owner: RoutingOwner;
  /** For an object this product wrote for another catalog entity: that entity, its owner. */
  ownerEntityRef?: string;
  /** Why an object counts as drifted, or what adopting does with a foreign one and why. */
  reason?: string;
  /** Foreign objects only. */
  adoption?: AdoptionEffect;
}

/**
 * One key for an object, live or classified: its kind, namespace and name.
 *
 * @public
 */
export function objectKey(o: RoutingObject | ClassifiedObject): string {
  return 'metadata' in o
    ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`
    : `${o.kind}/${o.namespace}/${o.name}`;
}

/** @public */
export interface ClassifiedRouting {
  objects: ClassifiedObject[];
  /** The intent our objects express, when they exist, agree with each other and have not drifted. */
  intent?: TrafficIntent;
  /** When our objects were edited by hand: the intent they now express, or what it cannot hold. */
  handEdit?: HandEdit;
}

/**
 * A hand edit read back: adopting it makes `intent` the intent; `cannotRepresent` says what would be lost or why it cannot be read.
 *
 * @public
 */
export interface HandEdit {
  intent?: TrafficIntent;
  cannotRepresent?: string;
}

/** Our Istio objects of a host, by kind: the routing pair and the access policy. */
interface IstioOurs {
  vs?: VirtualServiceObject;
  dr?: DestinationRuleObject;
  policy?: AuthorizationPolicyObject;
  /** The access part the policy says, read before the routing so the hash covers both. */
  access?: Access;
}

/** Whether the objects an intent generates are, spec for spec, the live ones. */
function generatesExactly(
  target: MeshTarget,
  intent: TrafficIntent,
  held: IstioOurs,
): boolean {
  const live: Record<string, RoutingObject | undefined> = {
    VirtualService: held.vs,
    DestinationRule: held.dr,
    AuthorizationPolicy: held.policy,
  };
  return generateIstioRouting(target, intent).every(e => {
    const l = live[e.kind];
    return l !== undefined && comparableSpec(e) === comparableSpec(l);
  });
}

/** The intent hand-edited objects express now, and what of them an intent cannot hold. */
function handEditOf(target: MeshTarget, held: IstioOurs): HandEdit {
  const { vs, dr } = held;
  if (!vs || !dr)
    return {
      cannotRepresent: `the ${
        vs ? 'DestinationRule' : 'VirtualService'
      } is missing`,
    };
  try {
    const intent = withAccess(
      parseRouting(vs, dr, target.versionLabel),
      held.access,
    );
    const lost = !generatesExactly(target, intent, held);
    return lost
      ? {
          intent,
          cannotRepresent:
            'the live objects hold fields or an order the intent cannot express; adopting drops them',
        }
      : { intent };
  } catch (e) {
    return {
      cannotRepresent: e instanceof RoutingParseError ? e.message : String(e),
    };
  }
}

/**
 * How classification treats objects a GitOps tool manages: left to Git (`refuse`, the default:
 * never adopted, rewritten or deleted, by anyone), or adoptable as any foreign object once a mesh
 * says so (`adoptable`).
 *
 * @public
 */
export interface ClassifyOptions {
  gitOps?: 'refuse' | 'adoptable';
}

/** What adopting does with a foreign object, and the sentence that tells a person why. */
function adoptionOf(
  obj: RoutingObject,
  target: MeshTarget,
  options: ClassifyOptions,
): { adoption: AdoptionEffect; reason: string } {
  const where = `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`;
  const gitOps = gitOpsManagement(obj);
  if (!gitOps) return adoptionOfForeign(obj, target, where);
  const inGit = describeGitOps(where, gitOps);
  if (options.gitOps === 'adoptable') {
    const effect = adoptionOfForeign(obj, target, where);
    return {
      ...effect,
      reason: `${effect.reason}; ${gitOpsManager(
        where,
        gitOps,
      )}, which puts it back unless it is removed from Git too`,
    };
  }
  // Where the host's routing is written, a GitOps object stops every apply: two writers for one host.
  return obj.metadata.namespace === target.namespace
    ? { adoption: 'blocked', reason: inGit }
    : { adoption: 'keep', reason: inGit };
}

function adoptionOfForeign(
  obj: RoutingObject,
  target: MeshTarget,
  where: string,
): { adoption: AdoptionEffect; reason: string } {
  const host = serviceHost(target);
  if (obj.metadata.namespace !== target.namespace) {
    return {
      adoption: 'keep',
      reason: `${where} routes ${host} from another namespace; adopting does not touch it. Istio gives a host one VirtualService per client: delete it, or remove ${host} from it, by hand`,
    };
  }
  const others = otherHostsOf(obj, target);
  if (others.length && holdsOurName(obj, target)) {
    return {
      adoption: 'blocked',
      reason: `${where} has the name this host's routing is written under but routes ${others.join(
        ', ',
      )}; no apply can replace it without breaking that routing: rename it (or move those hosts to another object) by hand`,
    };
  }
  if (others.length) {
    return {
      adoption: 'keep',
      reason: `${where} also routes ${others.join(
        ', ',
      )}, so adopting does not delete it; remove ${
        obj.kind === 'VirtualService'
          ? `${target.service} from its hosts`
          : 'it'
      } by hand so that only this host's routing applies`,
    };
  }
  if (holdsOurName(obj, target))
    return {
      adoption: 'rewrite',
      reason: `adopting rewrites ${where} from the intent`,
    };
  return {
    adoption: 'delete',
    reason: `adopting deletes ${where}, which routes only ${host}`,
  };
}

/** Ours: our label, the target's name (or a version object's label) and namespace, written for this very entity. */
function isOurs(obj: RoutingObject, target: MeshTarget): boolean {
  return (
    (holdsOurName(obj, target) || isVersionObject(obj, target)) &&
    writtenFor(obj) === target.entityRef
  );
}

/** Why our objects no longer are what their recorded intent generates, if they are not. */
function driftOf(target: MeshTarget, held: IstioOurs): OursRead {
  const { vs, dr, policy } = held;
  if (!vs || !dr) {
    return vs || dr || policy
      ? {
          drift: `the ${
            vs ? 'DestinationRule' : 'VirtualService'
          } it needs is missing`,
        }
      : {};
  }
  try {
    const intent = withAccess(
      parseRouting(vs, dr, target.versionLabel),
      held.access,
    );
    const hash = intentHash(intent);
    if (
      [vs, dr, policy].some(
        o => o && o.metadata.annotations?.[INTENT_HASH_ANNOTATION] !== hash,
      )
    ) {
      return {
        drift:
          'the recorded intent hash does not match the spec (edited by hand since it was applied)',
      };
    }
    if (!generatesExactly(target, intent, held)) {
      return {
        drift:
          'the spec holds fields the intent did not generate (edited by hand since it was applied)',
      };
    }
    return { intent };
  } catch (e) {
    return {
      drift:
        e instanceof RoutingParseError
          ? `edited by hand: ${e.message}`
          : String(e),
    };
  }
}

/**
 * Sorts a cluster's live routing objects that concern the target's host into ours, drifted (ours,
 * but the spec no longer is what the recorded intent generates) and foreign (with their owner and
 * what adopting would do with them), and reads back the intent our unchanged objects came from.
 * An object of ours written for another catalog entity is that entity's, so foreign here.
 *
 * @public
 */
export function classifyRouting(
  target: MeshTarget,
  live: RoutingObject[],
  options: ClassifyOptions = {},
): ClassifiedRouting {
  const relevant = live.filter(o => concernsHost(o, target));
  const ours = relevant.filter(o => isOurs(o, target));
  const { drift, intent, handEdit } = readOurs(target, ours, live);

  const objects = relevant.map((o): ClassifiedObject => {
    const owner = routingOwner(o);
    const base = {
      kind: o.kind,
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      owner,
    };
    if (!ours.includes(o)) {
      const ownerEntityRef =
        owner === 'backstage-mesh' ? writtenFor(o) : undefined;
      return {
        ...base,
        status: 'foreign',
        ...(ownerEntityRef ? { ownerEntityRef } : {}),
        ...adoptionOf(o, target, options),
      };
    }
    return drift
      ? { ...base, status: 'drifted', reason: drift }
      : { ...base, status: 'ours' };
  });
  if (!drift) return { objects, ...(intent ? { intent } : {}) };
  return { objects, handEdit };
}

interface OursRead {
  intent?: TrafficIntent;
  drift?: string;
  handEdit?: HandEdit;
}

/**
 * The intent our objects express, in whichever routing API they are written (a mesh that changed
 * its routingApi still holds the other API's objects until the next apply rewrites them), or why
 * they have drifted and what the hand edit says.
 */
function readOurs(
  target: MeshTarget,
  ours: RoutingObject[],
  live: RoutingObject[],
): OursRead {
  const policy = ours.find(
    (o): o is AuthorizationPolicyObject => o.kind === 'AuthorizationPolicy',
  );
  let access: Access | undefined;
  try {
    access = policy && parseAuthorizationPolicy(policy, target);
  } catch (e) {
    const message = `AuthorizationPolicy ${policy!.metadata.namespace}/${
      policy!.metadata.name
    }: ${e instanceof AccessParseError ? e.message : String(e)}`;
    return {
      drift: `edited by hand: ${message}`,
      handEdit: { cannotRepresent: message },
    };
  }
  const routing = ours.filter(o => o !== policy);
  const gateway = routing.filter(
    o => o.kind === 'HTTPRoute' || isVersionObject(o, target),
  );
  const istio = routing.filter(o => !gateway.includes(o));
  if (gateway.length && istio.length) {
    const both =
      'both a VirtualService and an HTTPRoute of this service are ours: a change between routing APIs did not finish';
    return { drift: both, handEdit: { cannotRepresent: both } };
  }
  if (gateway.length)
    return readGatewayRouting(
      target,
      policy ? [...gateway, policy] : gateway,
      live,
      access,
    );
  const held: IstioOurs = {
    vs: istio.find(
      (o): o is VirtualServiceObject => o.kind === 'VirtualService',
    ),
    dr: istio.find(
      (o): o is DestinationRuleObject => o.kind === 'DestinationRule',
    ),
    policy,
    access,
  };
  const read: OursRead = driftOf(target, held);
  return read.drift ? { ...read, handEdit: handEditOf(target, held) } : read;
}

/**
 * A cluster that holds no routing config (a remote) holds only the version Services of a mesh on
 * Gateway API: ours when written for this entity, the other entity's (foreign, kept) otherwise.
 *
 * @public
 */
export function classifyVersionObjects(
  target: MeshTarget,
  live: RoutingObject[],
  options: ClassifyOptions = {},
): ClassifiedObject[] {
  return live
    .filter(o => isVersionObject(o, target))
    .map((o): ClassifiedObject => {
      const base = {
        kind: o.kind,
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        owner: routingOwner(o),
      };
      if (writtenFor(o) === target.entityRef)
        return { ...base, status: 'ours' };
      const ownerEntityRef = writtenFor(o);
      const gitOps = gitOpsManagement(o);
      if (gitOps && options.gitOps !== 'adoptable')
        return {
          ...base,
          status: 'foreign',
          adoption: 'blocked',
          reason: describeGitOps(
            `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`,
            gitOps,
          ),
        };
      return {
        ...base,
        status: 'foreign',
        ...(ownerEntityRef ? { ownerEntityRef } : {}),
        adoption: 'keep',
        reason: `${o.kind} ${o.metadata.namespace}/${o.metadata.name} is a version Service another entity wrote; adopting does not touch it`,
      };
    });
}
