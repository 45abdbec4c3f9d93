import {
  RouteMatch,
  StringMatch,
  TrafficRoute,
} from '@meshtraffic/backstage-plugin-mesh-common';

export type ConditionKind =
  | 'header'
  | 'uri'
  | 'method'
  | 'query'
  | 'sourceCluster';
export type MatchOp = 'exact' | 'prefix' | 'regex';

/** One condition of a match alternative, as a row of the form. */
export interface Condition {
  kind: ConditionKind;
  /** The header or query parameter name. */
  name: string;
  op: MatchOp;
  value: string;
}

const opOf = (m: StringMatch): [MatchOp, string] => {
  if (m.exact !== undefined) return ['exact', m.exact];
  if (m.prefix !== undefined) return ['prefix', m.prefix];
  return ['regex', m.regex ?? ''];
};

/** A match alternative as rows: every condition of it, headers and query parameters by name. */
export function conditionsOf(match: RouteMatch): Condition[] {
  const out: Condition[] = [];
  const add = (kind: ConditionKind, name: string, m: StringMatch) => {
    const [op, value] = opOf(m);
    out.push({ kind, name, op, value });
  };
  for (const [name, m] of Object.entries(match.headers ?? {}))
    add('header', name, m);
  if (match.uri) add('uri', '', match.uri);
  if (match.method) add('method', '', match.method);
  for (const [name, m] of Object.entries(match.queryParams ?? {}))
    add('query', name, m);
  if (match.sourceCluster)
    out.push({
      kind: 'sourceCluster',
      name: '',
      op: 'exact',
      value: match.sourceCluster,
    });
  return out;
}

/** The match alternative the rows stand for; validation names what is wrong with it. */
export function matchOf(conditions: Condition[]): RouteMatch {
  const match: RouteMatch = {};
  for (const c of conditions) {
    const m = { [c.op]: c.value } as StringMatch;
    if (c.kind === 'header')
      match.headers = { ...match.headers, [c.name.toLowerCase()]: m };
    else if (c.kind === 'query')
      match.queryParams = { ...match.queryParams, [c.name]: m };
    else if (c.kind === 'uri') match.uri = m;
    else if (c.kind === 'method') match.method = m;
    else match.sourceCluster = c.value;
  }
  return match;
}

/** A new route: requests under /beta to the first version. */
export function newRoute(
  existing: Array<Pick<TrafficRoute, 'name'>>,
  version: string,
): TrafficRoute {
  const names = new Set(existing.map(r => r.name));
  let n = existing.length + 1;
  while (names.has(`route-${n}`)) n++;
  return {
    name: `route-${n}`,
    match: [{ uri: { prefix: '/beta' } }],
    split: [{ version, weight: 100 }],
  };
}

/** The list with one route moved up or down by one place. */
export function moved<T>(list: T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (to < 0 || to >= list.length) return list;
  const next = [...list];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}
