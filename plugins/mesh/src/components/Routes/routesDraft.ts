import {
  Destination,
  TrafficIntent,
  TrafficRoute,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { numberOrUndefined, textOrUndefined } from '../fields/IntentTextField';
import { Condition, conditionsOf, matchOf } from './routeDraft';

/** A route as the tab edits it, numbers as typed; retry details the tab does not edit ride along. */
export interface RouteDraft {
  name: string;
  alternatives: Condition[][];
  split: Destination[];
  timeout: string;
  attempts: string;
  abortStatus: string;
  abortPercent: string;
  delay: string;
  delayPercent: string;
  mirrorVersion: string;
  mirrorPercent: string;
  kept: Pick<TrafficRoute, 'retries'> & { mirrorCluster?: string };
}

const text = (v: string | number | undefined) =>
  v === undefined ? '' : String(v);

export function draftOf(route: TrafficRoute): RouteDraft {
  const { name, match, split, timeout, retries, fault, mirror } = route;
  return {
    name,
    alternatives: match.map(conditionsOf),
    split: split.map(d => ({ ...d })),
    timeout: timeout ?? '',
    attempts: retries ? String(retries.attempts) : '',
    abortStatus: text(fault?.abort?.httpStatus),
    abortPercent: text(fault?.abort?.percent),
    delay: fault?.delay?.fixed ?? '',
    delayPercent: text(fault?.delay?.percent),
    mirrorVersion: mirror?.version ?? '',
    mirrorPercent: text(mirror?.percent),
    kept: {
      ...(retries ? { retries } : {}),
      ...(mirror?.cluster ? { mirrorCluster: mirror.cluster } : {}),
    },
  };
}

/** NaN for a field typed but not a number, so validation names it. */
const num = (v: string) => numberOrUndefined(v) ?? NaN;

function faultOf(d: RouteDraft): TrafficRoute['fault'] {
  const abort = textOrUndefined(d.abortStatus)
    ? { httpStatus: num(d.abortStatus), percent: num(d.abortPercent || '100') }
    : undefined;
  const delay = textOrUndefined(d.delay)
    ? { fixed: d.delay.trim(), percent: num(d.delayPercent || '100') }
    : undefined;
  if (!abort && !delay) return undefined;
  return { ...(abort ? { abort } : {}), ...(delay ? { delay } : {}) };
}

function mirrorOf(d: RouteDraft): TrafficRoute['mirror'] {
  if (!d.mirrorVersion) return undefined;
  return {
    version: d.mirrorVersion,
    ...(d.kept.mirrorCluster ? { cluster: d.kept.mirrorCluster } : {}),
    percent: num(d.mirrorPercent || '100'),
  };
}

export function routeOf(d: RouteDraft): TrafficRoute {
  const attempts = numberOrUndefined(d.attempts);
  const { retries } = d.kept;
  const timeout = textOrUndefined(d.timeout);
  const fault = faultOf(d);
  const mirror = mirrorOf(d);
  return {
    name: d.name.trim(),
    match: d.alternatives.map(matchOf),
    split: d.split,
    ...(fault ? { fault } : {}),
    ...(timeout ? { timeout } : {}),
    ...(attempts !== undefined ? { retries: { ...retries, attempts } } : {}),
    ...(mirror ? { mirror } : {}),
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
