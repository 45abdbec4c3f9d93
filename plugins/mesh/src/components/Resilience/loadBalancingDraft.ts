import {
  LOAD_BALANCER_SIMPLE,
  LoadBalancer,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { textOrUndefined } from '../fields/IntentTextField';

export type HashOn = 'header' | 'cookie' | 'sourceIp' | 'query';
export type Policy = '' | (typeof LOAD_BALANCER_SIMPLE)[number] | 'HASH';

/** The load balancer and locality settings as the form holds them. */
export interface LoadBalancingDraft {
  policy: Policy;
  hashOn: HashOn;
  /** The header, cookie or query parameter hashed on. */
  hashName: string;
  cookieTtl: string;
  cookiePath: string;
  /** One rule per line: `us-east1/* -> us-east1/*=80, us-west1/*=20`. */
  distribute: string;
  /** Labels, most important first, separated by commas. */
  failoverPriority: string;
}

function hashDraft(hash: LoadBalancer['consistentHash']) {
  if (hash?.httpCookie)
    return {
      hashOn: 'cookie' as const,
      hashName: hash.httpCookie.name,
      cookieTtl: hash.httpCookie.ttl ?? '',
      cookiePath: hash.httpCookie.path ?? '',
    };
  if (hash?.useSourceIp) return { hashOn: 'sourceIp' as const, hashName: '' };
  if (hash?.httpQueryParameterName)
    return { hashOn: 'query' as const, hashName: hash.httpQueryParameterName };
  return { hashOn: 'header' as const, hashName: hash?.httpHeaderName ?? '' };
}

export function draftOfLoadBalancing(
  intent: TrafficIntent,
): LoadBalancingDraft {
  const lb = intent.loadBalancer;
  const policy: Policy = lb?.consistentHash ? 'HASH' : lb?.simple ?? '';
  return {
    policy,
    cookieTtl: '',
    cookiePath: '',
    ...hashDraft(lb?.consistentHash),
    distribute: (intent.locality?.distribute ?? [])
      .map(
        d =>
          `${d.from} -> ${Object.entries(d.to)
            .map(([to, w]) => `${to}=${w}`)
            .join(', ')}`,
      )
      .join('\n'),
    failoverPriority: (intent.locality?.failoverPriority ?? []).join(', '),
  };
}

function consistentHash(d: LoadBalancingDraft): LoadBalancer['consistentHash'] {
  switch (d.hashOn) {
    case 'cookie':
      return {
        httpCookie: {
          name: d.hashName.trim(),
          ...(textOrUndefined(d.cookieTtl) ? { ttl: d.cookieTtl.trim() } : {}),
          ...(textOrUndefined(d.cookiePath)
            ? { path: d.cookiePath.trim() }
            : {}),
        },
      };
    case 'sourceIp':
      return { useSourceIp: true };
    case 'query':
      return { httpQueryParameterName: d.hashName.trim() };
    default:
      return { httpHeaderName: d.hashName.trim().toLowerCase() };
  }
}

/** A rule line; a weight that is not a number stays NaN for the backend to name. */
function distributeRule(line: string) {
  const [from, to = ''] = line.split('->');
  return {
    from: from.trim(),
    to: Object.fromEntries(
      to
        .split(',')
        .map(part => part.split('='))
        .filter(([locality]) => locality.trim())
        .map(([locality, weight]) => [locality.trim(), Number(weight)]),
    ),
  };
}

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map(s => s.trim())
    .filter(Boolean);

/** The intent with the draft's load balancer and locality; empty fields remove them. */
export function intentWithLoadBalancing(
  intent: TrafficIntent,
  d: LoadBalancingDraft,
): TrafficIntent {
  const next: TrafficIntent = { ...intent };
  delete next.loadBalancer;
  delete next.locality;
  if (d.policy === 'HASH')
    next.loadBalancer = { consistentHash: consistentHash(d) };
  else if (d.policy) next.loadBalancer = { simple: d.policy };
  const distribute = d.distribute
    .split('\n')
    .filter(line => line.trim())
    .map(distributeRule);
  const failoverPriority = list(d.failoverPriority);
  if (distribute.length || failoverPriority.length)
    next.locality = {
      ...(distribute.length ? { distribute } : {}),
      ...(failoverPriority.length ? { failoverPriority } : {}),
    };
  return next;
}
