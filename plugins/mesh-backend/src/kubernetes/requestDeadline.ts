import {
  ConfigurationOptions,
  Observable,
  RequestContext,
} from '@kubernetes/client-node';
import { ClusterTimeoutError } from './clusterErrors';

/**
 * Runs one client-node call under a deadline that aborts the HTTP request itself (its socket),
 * not only the promise: a write that times out is cancelled on the wire, so it cannot land
 * unnoticed after the caller has moved on. The call gets the options that carry the signal.
 * The deadline covers the whole call, the credential included: a strategy that hangs before the
 * request is sent still ends the call at the deadline, and the signal, already aborted when the
 * request would go out, keeps it from ever being sent.
 */
export async function withDeadline<T>(
  cluster: string,
  ms: number,
  call: (options: ConfigurationOptions) => Promise<T>,
  base?: ConfigurationOptions,
  /** The error for a call whose deadline passed before its request was made (its credential still pending). */
  unsent?: (timeout: ClusterTimeoutError) => Error,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  // client-node runs middleware after authentication: reaching it means the credential is in hand.
  let authenticated = false;
  const options: ConfigurationOptions = {
    ...base,
    middleware: [
      ...((base?.middleware as any[]) ?? []),
      {
        pre: (context: RequestContext) => {
          authenticated = true;
          context.setSignal(controller.signal);
          return new Observable(Promise.resolve(context));
        },
        post: (response: any) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  } as ConfigurationOptions;
  const expired = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () =>
      reject(new ClusterTimeoutError(cluster, ms)),
    );
  });
  try {
    return await Promise.race([call(options), expired]);
  } catch (e) {
    if (controller.signal.aborted) {
      const timeout = new ClusterTimeoutError(cluster, ms);
      throw !authenticated && unsent ? unsent(timeout) : timeout;
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
