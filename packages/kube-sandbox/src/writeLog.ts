/** One write the cluster accepted (dry runs are not writes), in the order it accepted them. */
export interface AcceptedWrite {
  /** Increasing per cluster, from 1. */
  seq: number;
  time: string;
  verb: 'create' | 'update' | 'patch' | 'apply' | 'delete';
  kind: string;
  namespace?: string;
  name: string;
  resourceVersion: string;
  /** The object's annotations after the write (before it, for a delete): who wrote it, for a tool that says so. */
  annotations?: Record<string, string>;
  /** The object's spec after the write; absent after a delete. */
  spec?: unknown;
}

/**
 * The writes a cluster accepted, oldest first, so a test can check an invariant at every moment
 * (e.g. that no VirtualService ever routed to a subset its DestinationRule lacked), not only at the end.
 */
export class WriteLog {
  private entries: AcceptedWrite[] = [];
  private seq = 0;

  record(write: Omit<AcceptedWrite, 'seq' | 'time'>) {
    this.seq += 1;
    this.entries.push({
      seq: this.seq,
      time: new Date().toISOString(),
      ...structuredClone(write),
    });
  }

  /** The writes after `since` (a seq), all when omitted. */
  list(since = 0): AcceptedWrite[] {
    return this.entries.filter(e => e.seq > since).map(e => structuredClone(e));
  }

  clear() {
    this.entries = [];
  }
}
