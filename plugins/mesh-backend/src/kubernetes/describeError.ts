/**
 * A short, credential-free account of why a call to a cluster failed: the Kubernetes Status
 * message when the API server sent one, else the network error's code. Never the request, its
 * headers or the client's configuration, which is where tokens and CAs live.
 */
export function describeClusterError(error: unknown): string {
  const e = error as any;
  const status = e?.code ?? e?.statusCode ?? e?.response?.statusCode;
  const body = typeof e?.body === 'string' ? safeJson(e.body) : e?.body;
  if (body?.kind === 'Status' && typeof body.message === 'string') {
    return `${body.code ?? status ?? ''} ${body.reason ?? ''}: ${body.message}`.trim();
  }
  if (typeof status === 'number') return `HTTP ${status}`;
  const cause = e?.cause ?? e;
  if (typeof cause?.code === 'string') return `connection failed (${cause.code})`;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  return 'request failed';
}

function safeJson(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
