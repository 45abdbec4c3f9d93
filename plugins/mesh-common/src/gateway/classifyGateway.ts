import { MeshTarget } from '../entity/target';
import { intentHash } from '../generate/hash';
import { HTTPRouteObject, ServiceObject } from '../generate/gatewayTypes';
import { DestinationRuleObject, RoutingObject } from '../generate/istioTypes';
import { INTENT_HASH_ANNOTATION } from '../generate/metadata';
import { Access, TrafficIntent } from '../intent/schema';
import { withAccess } from '../generate/access';
import { comparableSpec } from '../parse/comparable';
import { RoutingParseError } from '../parse/parse';
import { generateGatewayRouting } from './generateGateway';
import { parseGatewayRouting } from './parseGateway';

const keyOf = (o: RoutingObject) =>
  `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/** What our Gateway API objects on a config cluster say, or why they no longer say it. */
export interface GatewayRead {
  intent?: TrafficIntent;
  drift?: string;
  handEdit?: { intent?: TrafficIntent; cannotRepresent?: string };
}

/** The objects an intent generates that the live ones are not (missing, extra or different). */
function differences(
  target: MeshTarget,
  intent: TrafficIntent,
  ours: RoutingObject[],
  services: ServiceObject[],
): string[] {
  const ports = target.servicePorts ?? services[0]?.spec.ports ?? [];
  const expected = generateGatewayRouting(
    { ...target, servicePorts: ports },
    intent,
  );
  const live = new Map(ours.map(o => [keyOf(o), o]));
  const out = expected
    .filter(e => {
      const held = live.get(keyOf(e));
      return !held || comparableSpec(held) !== comparableSpec(e);
    })
    .map(keyOf);
  const wanted = new Set(expected.map(keyOf));
  return [...out, ...ours.map(keyOf).filter(k => !wanted.has(k))];
}

function parse(
  target: MeshTarget,
  ours: RoutingObject[],
  live: RoutingObject[],
  access: Access | undefined,
) {
  const route = ours.find((o): o is HTTPRouteObject => o.kind === 'HTTPRoute');
  if (!route)
    throw new RoutingParseError(
      'the HTTPRoute its version Services are for is missing',
    );
  const services = ours.filter((o): o is ServiceObject => o.kind === 'Service');
  // A hand edit may send to a Service that is not ours: any Service of the namespace may be a backend.
  const others = live.filter(
    (o): o is ServiceObject => o.kind === 'Service' && !services.includes(o),
  );
  return {
    services,
    intent: withAccess(
      parseGatewayRouting(
        {
          route,
          services: [...services, ...others],
          policies: ours.filter(
            (o): o is DestinationRuleObject => o.kind === 'DestinationRule',
          ),
        },
        target,
      ),
      access,
    ),
  };
}

/**
 * Reads the intent our HTTPRoute, version Services and their DestinationRules express, and tells
 * whether they are still exactly what that intent generates (the recorded hash, every spec, no
 * object missing or left over).
 */
export function readGatewayRouting(
  target: MeshTarget,
  ours: RoutingObject[],
  live: RoutingObject[],
  /** The access part our AuthorizationPolicy (among `ours`) says. */
  access?: Access,
): GatewayRead {
  let read: ReturnType<typeof parse>;
  try {
    read = parse(target, ours, live, access);
  } catch (e) {
    const message = e instanceof RoutingParseError ? e.message : String(e);
    return {
      drift: `edited by hand: ${message}`,
      handEdit: { cannotRepresent: message },
    };
  }
  const { intent, services } = read;
  const hash = intentHash(intent);
  const unhashed = ours.some(
    o => o.metadata.annotations?.[INTENT_HASH_ANNOTATION] !== hash,
  );
  const differing = differences(target, intent, ours, services);
  if (!unhashed && !differing.length) return { intent };
  const lost = differing.length
    ? {
        cannotRepresent: `the live objects hold fields or objects the intent cannot express (${differing.join(
          ', ',
        )}); adopting drops them`,
      }
    : {};
  return {
    drift: unhashed
      ? 'the recorded intent hash does not match the spec (edited by hand since it was applied)'
      : `the objects are not what their intent generates (${differing.join(
          ', ',
        )}): edited by hand since it was applied`,
    handEdit: { intent, ...lost },
  };
}
