import {
  CanaryAnalysis,
  Destination,
  Fault,
  Mirror,
  TrafficIntent,
  TrafficRoute,
} from './schema';
import { canaryWeights } from './validate';

/**
 * Edits of an intent that the tabs and the scaffolder actions share, so that "advance the canary"
 * or "inject a fault for testers" means the same everywhere. Each takes an intent and returns a new
 * one; none validates (validateIntent does, with every problem at once).
 */

/**
 * The route that sends a canary's testers straight to the candidate.
 *
 * @public
 */
export const CANARY_TESTERS_ROUTE = 'canary-testers';
/**
 * The route that carries a fault scoped to requests with a header.
 *
 * @public
 */
export const FAULT_ROUTE = 'fault-injection';

/**
 * Who a route is for: requests with a header value, or with a cookie.
 *
 * @public
 */
export type RequestRule =
  | { header: string; value: string }
  | { cookie: string; value: string };

/**
 * What a scaffolder template (or any caller) may change on top of the current intent.
 *
 * @public
 */
export interface TrafficChange {
  split?: Destination[];
  canary?: CanaryChange;
  /** null removes the mirror. */
  mirror?: Mirror | null;
  /** null removes the fault, wherever it sits. */
  fault?: (Fault & { scope?: RequestRule | 'all' }) | null;
}

/** @public */
export type CanaryChange =
  | {
      action: 'start';
      baseline: string;
      candidate: string;
      steps: number[];
      testers?: RequestRule;
      /** The checks each step must pass; with auto, the analysis moves the canary on its own. */
      analysis?: CanaryAnalysis;
      auto?: boolean;
    }
  | { action: 'advance' | 'promote' | 'abort' };

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/**
 * The match a rule stands for; a cookie is matched inside the Cookie header, as Istio's docs do.
 *
 * @public
 */
export function ruleMatch(rule: RequestRule): TrafficRoute['match'][number] {
  if ('header' in rule)
    return { headers: { [rule.header.toLowerCase()]: { exact: rule.value } } };
  return {
    headers: {
      cookie: {
        regex: `^(.*?;\\s*)?${escapeRegex(rule.cookie)}=${escapeRegex(
          rule.value,
        )}(;.*)?$`,
      },
    },
  };
}

/**
 * The rule a tab shows for a route made by ruleMatch, if it was made so.
 *
 * @public
 */
export function ruleOf(
  route: TrafficRoute | undefined,
): RequestRule | undefined {
  const headers = route?.match[0]?.headers;
  if (!headers) return undefined;
  const [name, match] = Object.entries(headers)[0] ?? [];
  if (name === 'cookie' && match?.regex) {
    const m = /^\^\(\.\*\?;\\s\*\)\?(.+?)=(.+)\(;\.\*\)\?\$$/.exec(match.regex);
    if (m)
      return {
        cookie: m[1].replace(/\\(.)/g, '$1'),
        value: m[2].replace(/\\(.)/g, '$1'),
      };
  }
  return name && match?.exact !== undefined
    ? { header: name, value: match.exact }
    : undefined;
}

/** @public */
export const routeNamed = (intent: TrafficIntent, name: string) =>
  intent.routes?.find(r => r.name === name);

function withoutRoute(intent: TrafficIntent, name: string): TrafficIntent {
  const { routes: all = [], ...rest } = intent;
  const routes = all.filter(r => r.name !== name);
  return routes.length ? { ...rest, routes } : rest;
}

/** The fault route serves what the default route serves; keep it so when the split moves. */
function followSplit(intent: TrafficIntent): TrafficIntent {
  if (!routeNamed(intent, FAULT_ROUTE)) return intent;
  return {
    ...intent,
    routes: intent.routes!.map(r =>
      r.name === FAULT_ROUTE ? { ...r, split: intent.split } : r,
    ),
  };
}

/**
 * A split set by hand ends any canary: its steps no longer describe the traffic.
 *
 * @public
 */
export function withSplit(
  intent: TrafficIntent,
  split: Destination[],
): TrafficIntent {
  const next = withoutRoute({ ...intent, split }, CANARY_TESTERS_ROUTE);
  delete next.canary;
  return followSplit(next);
}

/**
 * The default split of a canary at its current step; a version at 0 % is left out.
 *
 * @public
 */
export function canarySplit(
  canary: NonNullable<TrafficIntent['canary']>,
): Destination[] {
  return Object.entries(canaryWeights(canary))
    .filter(([, weight]) => weight > 0)
    .map(([version, weight]) => ({ version, weight }));
}

/** @public */
export function withCanary(
  intent: TrafficIntent,
  change: CanaryChange,
): TrafficIntent {
  if (change.action === 'start') {
    const canary = {
      baseline: change.baseline,
      candidate: change.candidate,
      steps: change.steps,
      step: 1,
      ...(change.analysis ? { analysis: change.analysis } : {}),
      ...(change.auto !== undefined ? { auto: change.auto } : {}),
    };
    const next = withoutRoute(
      { ...intent, canary, split: canarySplit(canary) },
      CANARY_TESTERS_ROUTE,
    );
    if (change.testers) {
      const testers: TrafficRoute = {
        name: CANARY_TESTERS_ROUTE,
        match: [ruleMatch(change.testers)],
        split: [{ version: change.candidate, weight: 100 }],
      };
      next.routes = [testers, ...(next.routes ?? [])];
    }
    return followSplit(next);
  }
  const canary = intent.canary;
  if (!canary) throw new Error(`there is no canary to ${change.action}`);
  if (change.action === 'advance') {
    if (canary.step >= canary.steps.length)
      throw new Error('the canary is at its last step; promote it');
    const next = { ...canary, step: canary.step + 1 };
    return followSplit({ ...intent, canary: next, split: canarySplit(next) });
  }
  const version =
    change.action === 'promote' ? canary.candidate : canary.baseline;
  return withSplit(intent, [{ version, weight: 100 }]);
}

/** @public */
export function withMirror(
  intent: TrafficIntent,
  mirror: Mirror | null,
): TrafficIntent {
  const next = { ...intent };
  if (mirror) next.mirror = mirror;
  else delete next.mirror;
  return next;
}

/**
 * A fault for requests that match a rule (a route of its own, serving the default split), or for
 * all traffic (on the default route). Setting one removes the other.
 *
 * @public
 */
export function withFault(
  intent: TrafficIntent,
  fault: Fault | null,
  scope: RequestRule | 'all' = 'all',
): TrafficIntent {
  const next = withoutRoute({ ...intent }, FAULT_ROUTE);
  delete next.fault;
  if (!fault) return next;
  if (scope === 'all') return { ...next, fault };
  const route: TrafficRoute = {
    name: FAULT_ROUTE,
    match: [ruleMatch(scope)],
    split: next.split,
    fault,
  };
  return { ...next, routes: [route, ...(next.routes ?? [])] };
}

/**
 * Where a fault sits now, and for whom.
 *
 * @public
 */
export function currentFault(intent: TrafficIntent): {
  fault?: Fault;
  scope: RequestRule | 'all' | undefined;
} {
  const route = routeNamed(intent, FAULT_ROUTE);
  if (route?.fault) return { fault: route.fault, scope: ruleOf(route) };
  return { fault: intent.fault, scope: intent.fault ? 'all' : undefined };
}

/**
 * A partial change on top of an intent, in a fixed order: split, canary, mirror, fault.
 *
 * @public
 */
export function applyTrafficChange(
  intent: TrafficIntent,
  change: TrafficChange,
): TrafficIntent {
  let next = intent;
  if (change.split) next = withSplit(next, change.split);
  if (change.canary) next = withCanary(next, change.canary);
  if (change.mirror !== undefined) next = withMirror(next, change.mirror);
  if (change.fault !== undefined) {
    if (change.fault === null) next = withFault(next, null);
    else {
      const { scope, ...fault } = change.fault;
      next = withFault(next, fault, scope ?? 'all');
    }
  }
  return next;
}

/**
 * The intent a service starts from when it has none: everything to its first version.
 *
 * @public
 */
export function initialIntent(versions: string[]): TrafficIntent {
  return { split: [{ version: [...versions].sort()[0] ?? 'v1', weight: 100 }] };
}

/**
 * Where editing starts: the intent every config cluster holds; when they disagree (an interrupted
 * change, a hand edit) the last intent applied everywhere, from history; else all to one version.
 *
 * @public
 */
export function startingIntent(
  state: { intent?: TrafficIntent; lastApplied?: { intent?: TrafficIntent } },
  versions: string[],
): TrafficIntent {
  return state.intent ?? state.lastApplied?.intent ?? initialIntent(versions);
}
