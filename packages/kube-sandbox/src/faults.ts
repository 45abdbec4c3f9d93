/** A rule that makes matching requests fail with a status, for the next `count` or a `fraction`. */
export interface FailureRule {
  /** get | list | create | update | patch | apply | delete; any when omitted. */
  verb?: string;
  /** Plural resource, e.g. virtualservices; any when omitted. */
  resource?: string;
  /** The Status code to answer with (500 when omitted). */
  status?: number;
  /**
   * Drop the connection instead of answering, as a server does when it closes a kept-alive
   * connection the client was just sending on: the client sees ECONNRESET.
   */
  reset?: boolean;
  /** Fail this many matching requests, then stop. */
  count?: number;
  /** Or fail this share (0..1) of matching requests, until cleared. */
  fraction?: number;
  /** Let this many matching requests through first (a change's write passes, its undo fails). */
  after?: number;
  message?: string;
}

/** Faults and counters of one simulated cluster. */
export class ClusterFaults {
  latencyMs = 0;
  /** Delay after a write has landed and before it is answered: the write a client times out on but that happened. */
  answerDelayMs = 0;
  /** How often a watch that allows bookmarks gets one (the API server: about a minute). */
  bookmarkIntervalMs = 5_000;
  /** How long each change is held back before a watch streams it (0: at once). */
  watchEventDelayMs = 0;
  private rules: FailureRule[] = [];
  private readonly counters = new Map<string, number>();

  setLatency(ms: number) {
    this.latencyMs = Math.max(0, ms);
  }

  failNext(rule: FailureRule) {
    if (rule.count === undefined && rule.fraction === undefined) rule.count = 1;
    this.rules.push({ ...rule });
  }

  setAnswerDelay(ms: number) {
    this.answerDelayMs = Math.max(0, ms);
  }

  clear() {
    this.rules = [];
    this.latencyMs = 0;
    this.answerDelayMs = 0;
    this.watchEventDelayMs = 0;
  }

  count(verb: string, resource: string) {
    const key = `${verb} ${resource}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  /** Requests seen, by `verb resource` (e.g. `apply virtualservices`). */
  requestCounts(): Record<string, number> {
    return Object.fromEntries([...this.counters.entries()].sort());
  }

  resetCounts() {
    this.counters.clear();
  }

  /** The failure a request gets, if a rule matches it; consumes one of a rule's `count`. */
  failureFor(verb: string, resource: string): FailureRule | undefined {
    for (const rule of this.rules) {
      if (rule.verb && rule.verb !== verb) continue;
      if (rule.resource && rule.resource !== resource) continue;
      if (rule.after) {
        rule.after--;
        continue;
      }
      if (rule.count !== undefined) {
        if (rule.count <= 0) continue;
        rule.count--;
        return rule;
      }
      if (rule.fraction !== undefined && Math.random() < rule.fraction)
        return rule;
    }
    this.rules = this.rules.filter(r => r.count === undefined || r.count > 0);
    return undefined;
  }
}
