import {
  Destination,
  TrafficIntent,
  TrafficRoute,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { numberOrUndefined, textOrUndefined } from '../fields/IntentTextField';
import { Condition, conditionsOf, matchOf } from './routeDraft';

/** A route as the tab edits it; what the tab does not edit (fault, mirror, retry details) rides along. */
export interface RouteDraft {
  name: string;
  alternatives: Condition[][];
  split: Destination[];
  timeout: string;
  attempts: string;
  kept: Pick<TrafficRoute, 'fault' | 'mirror' | 'retries'>;
}

export function draftOf(route: TrafficRoute): RouteDraft {
  const { name, match, split, timeout, retries, fault, mirror } = route;
  return {
    name,
    alternatives: match.map(conditionsOf),
    split: split.map(d => ({ ...d })),
    timeout: timeout ?? '',
    attempts: retries ? String(retries.attempts) : '',
    kept: {
      ...(fault ? { fault } : {}),
      ...(mirror ? { mirror } : {}),
      ...(retries ? { retries } : {}),
    },
  };
}

export function routeOf(d: RouteDraft): TrafficRoute {
  const attempts = numberOrUndefined(d.attempts);
  const { retries, ...kept } = d.kept;
  const timeout = textOrUndefined(d.timeout);
  return {
    name: d.name.trim(),
    match: d.alternatives.map(matchOf),
    split: d.split,
    ...kept,
    ...(timeout ? { timeout } : {}),
    ...(attempts !== undefined ? { retries: { ...retries, attempts } } : {}),
  };
}

/** The intent with the drafted routes, in their order; none removes `routes`. */
export function intentWithRoutes(
  intent: TrafficIntent,
  drafts: RouteDraft[],
): TrafficIntent {
  const next = { ...intent };
  if (drafts.length) next.routes = drafts.map(routeOf);
  else delete next.routes;
  return next;
}
