/**
 * Why a call to a cluster failed, by the error's type and code, never by its message text:
 * - `timeout`: our deadline aborted the request (its outcome is unknown for a write);
 * - `unreachable`: no answer came back, the connection failed or broke (a write sent on a
 *   connection that broke has an unknown outcome too);
 * - `status`: the API server answered with an error status (`status`, `reason`).
 */
export type ClusterErrorKind = 'timeout' | 'unreachable' | 'status';

export class ClusterTimeoutError extends Error {
  constructor(cluster: string, ms: number) {
    super(`cluster ${cluster} did not answer within ${ms}ms`);
    this.name = 'ClusterTimeoutError';
  }
}

/**
 * The cluster's auth strategy could not give a credential: the request was never sent. Its
 * message names the strategy only; the cause (a cloud SDK's error) stays in `cause` for logs.
 */
export class ClusterCredentialError extends Error {
  constructor(cluster: string, authProvider: string, cause: unknown) {
    super(
      `cannot get credentials for cluster ${cluster} from its ${authProvider} auth strategy`,
      { cause },
    );
    this.name = 'ClusterCredentialError';
  }
}

/** Connection failures that prove the request never reached the API server. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface ClassifiedClusterError {
  kind: ClusterErrorKind;
  /** The HTTP status, for `status`. */
  status?: number;
  /** The Kubernetes Status reason (Conflict, AlreadyExists, NotFound...), for `status`. */
  reason?: string;
  /** Whether the request surely did not reach the server (a refused connection): a write then certainly did not happen. */
  neverSent: boolean;
}

function networkCode(e: any): string | undefined {
  for (let cur = e, depth = 0; cur && depth < 4; cur = cur.cause, depth++) {
    if (typeof cur.code === 'string') return cur.code;
    if (typeof cur.errno === 'string') return cur.errno;
  }
  return undefined;
}

function statusBody(e: any): any {
  const body = e?.body;
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function classifyClusterError(error: unknown): ClassifiedClusterError {
  const e = error as any;
  if (e instanceof ClusterTimeoutError)
    return { kind: 'timeout', neverSent: false };
  if (e instanceof ClusterCredentialError)
    return { kind: 'unreachable', neverSent: true };
  // client-node's ApiException: the server answered.
  if (typeof e?.code === 'number') {
    const body = statusBody(e);
    return {
      kind: 'status',
      status: e.code,
      reason: body?.kind === 'Status' ? body.reason : undefined,
      neverSent: false,
    };
  }
  const code = networkCode(e);
  return {
    kind: 'unreachable',
    neverSent: code !== undefined && NEVER_SENT.has(code),
  };
}

/**
 * The connection broke under the request before any answer: typically a kept-alive connection
 * the server closed while idle, just as the client sent on it. A read is safe to send again.
 */
export function isConnectionReset(error: unknown): boolean {
  const code = networkCode(error);
  return (
    classifyClusterError(error).kind === 'unreachable' &&
    (code === 'ECONNRESET' || code === 'EPIPE')
  );
}

/**
 * A cluster whose watch cache cannot be trusted now: not synced yet, or its watch broken. Reads
 * treat the cluster as unreachable, so no plan is made on what may be stale. Its message is built
 * from described errors only.
 */
export class ClusterCacheStaleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterCacheStaleError';
  }
}

/**
 * A short, credential-free account of why a call to a cluster failed: the Kubernetes Status
 * message when the API server sent one, else the network error's code. Never the request, its
 * headers or the client's configuration, which is where tokens and CAs live.
 */
export function describeClusterError(error: unknown): string {
  const e = error as any;
  if (e instanceof ClusterCacheStaleError) return e.message;
  const { kind, status } = classifyClusterError(error);
  if (kind === 'timeout') return `timed out: ${e.message}`;
  if (e instanceof ClusterCredentialError) return e.message;
  if (kind === 'status') {
    const body = statusBody(e);
    if (body?.kind === 'Status' && typeof body.message === 'string')
      return `${body.code ?? status} ${body.reason ?? ''}: ${
        body.message
      }`.trim();
    return `HTTP ${status}`;
  }
  const code = networkCode(e);
  return code ? `connection failed (${code})` : 'connection failed';
}
