import { badRequest } from './status';

type Requirement = (labels: Record<string, string>) => boolean;

/** Parses a label selector (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`). */
export function parseLabelSelector(selector: string | null): Requirement {
  if (!selector) return () => true;
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  const requirements = parts.map(raw => {
    const part = raw.trim();
    const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (equality) {
      const [, key, op, value] = equality;
      return op === '!='
        ? (l: Record<string, string>) => l[key] !== value
        : (l: Record<string, string>) => l[key] === value;
    }
    const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (set) {
      const [, key, op, list] = set;
      const values = list.split(',').map(v => v.trim());
      return op === 'in'
        ? (l: Record<string, string>) =>
            l[key] !== undefined && values.includes(l[key])
        : (l: Record<string, string>) =>
            l[key] === undefined || !values.includes(l[key]);
    }
    const absent = /^!(\S+)$/.exec(part);
    if (absent) {
      const key = absent[1];
      return (l: Record<string, string>) => l[key] === undefined;
    }
    if (/^[A-Za-z0-9._/-]+$/.test(part))
      return (l: Record<string, string>) => l[part] !== undefined;
    throw badRequest(`unable to parse requirement: ${part}`);
  });
  return labels => requirements.every(r => r(labels));
}

/** Field selectors on `metadata.name` and `metadata.namespace` (=, ==, !=), the ones this product uses. */
export function parseFieldSelector(
  selector: string | null,
): (obj: any) => boolean {
  if (!selector) return () => true;
  const checks = selector.split(',').map(raw => {
    const m =
      /^\s*(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(\S*)\s*$/.exec(
        raw,
      );
    if (!m)
      throw badRequest(`field label not supported: ${raw.split(/[!=]/)[0]}`);
    const [, field, op, value] = m;
    const get = (o: any) =>
      field === 'metadata.name' ? o.metadata?.name : o.metadata?.namespace;
    return op === '!='
      ? (o: any) => get(o) !== value
      : (o: any) => get(o) === value;
  });
  return obj => checks.every(c => c(obj));
}
