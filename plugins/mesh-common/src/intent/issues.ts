import { ZodIssue } from 'zod';

/**
 * One problem with an intent, located by the path of the field that causes it.
 *
 * @public
 */
export interface IntentIssue {
  /** Dotted path with indices, e.g. `split[1].weight` or `routes[0].match[0].headers.x-canary.regex`. */
  path: string;
  message: string;
}

/** @public */
export type Path = ReadonlyArray<string | number>;

/** @public */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** @public */
export class IssueCollector {
  readonly list: IntentIssue[] = [];
  add(path: Path, message: string) {
    this.list.push({ path: formatPath(path), message });
  }
}

/**
 * A zod issue as the API reports it: a dotted path and a message a person can act on.
 *
 * @public
 */
export function zodIssue(issue: ZodIssue): IntentIssue {
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown field${
      issue.keys.length > 1 ? 's' : ''
    }: ${issue.keys.join(', ')}`;
  } else if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    message = 'is required';
  }
  return { path: formatPath(issue.path), message };
}
