import {
  ApiException,
  createConfiguration,
  HttpMethod,
  KubeConfig,
  RequestContext,
  ServerConfiguration,
  Watch,
} from '@kubernetes/client-node';
import { ClusterConfig } from '../config/readMeshConfig';
import { ClusterAuthentication } from './clusterAuthentication';
import {
  classifyClusterError,
  ClusterTimeoutError,
  isConnectionReset,
} from './clusterErrors';
import { ListPage, WatchTransport } from './cache/WatchTransport';

/**
 * A page of a list is a read that nothing waits on but the cache's sync (a person's read waits
 * for that on its own, shorter, deadline): it gets the time a large page takes on a busy API
 * server, not a write's timeout, which a team may set tight so that a transaction gives up fast.
 * A list cut at a write's timeout would leave a slow cluster never synced, read as unreachable.
 */
export const listTimeoutFor = (
  cluster: Pick<ClusterConfig, 'requestTimeoutMs'>,
) => Math.max(cluster.requestTimeoutMs, 30_000);

/**
 * A cache's calls to one cluster through client-node, with the cluster's authentication (its
 * current credential, its kept-alive agent): list pages through client-node's HTTP library, and
 * streams through its `Watch`, which asks a KubeConfig only for the server and the fetch options:
 * the same credential and agent every other call of the backend uses.
 */
export function clusterWatchTransport(
  cluster: ClusterConfig,
  authentication: ClusterAuthentication,
  /** A revoked or rotated credential (401): the next request asks for a new one. */
  onUnauthorized: () => void,
): WatchTransport {
  const server = cluster.url.replace(/\/$/, '');
  const listTimeoutMs = listTimeoutFor(cluster);
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: authentication },
  });
  const kubeConfig = {
    getCurrentCluster: () => ({ name: cluster.name, server }),
    applyToFetchOptions: async () => {
      const context = new RequestContext(server, HttpMethod.GET);
      await authentication.applySecurityAuthentication(context);
      return { agent: context.getAgent(), headers: context.getHeaders() };
    },
  } as unknown as KubeConfig;

  async function listOnce(
    path: string,
    query: Record<string, string>,
  ): Promise<ListPage> {
    const context = configuration.baseServer.makeRequestContext(
      path,
      HttpMethod.GET,
    );
    for (const [k, v] of Object.entries(query)) context.setQueryParam(k, v);
    context.setHeaderParam('Accept', 'application/json');
    await authentication.applySecurityAuthentication(context);
    const deadline = AbortSignal.timeout(listTimeoutMs);
    context.setSignal(deadline);
    try {
      const response = await configuration.httpApi.send(context).toPromise();
      const text = await response.body.text();
      if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
        throw new ApiException(
          response.httpStatusCode,
          `list ${path} answered ${response.httpStatusCode}`,
          text,
          response.headers,
        );
      return JSON.parse(text);
    } catch (e) {
      if (deadline.aborted)
        throw new ClusterTimeoutError(cluster.name, listTimeoutMs);
      if (classifyClusterError(e).status === 401) onUnauthorized();
      throw e;
    }
  }

  return {
    // A kept-alive connection the server closed just as the request went out: sent again once.
    listPage: (path, query) =>
      listOnce(path, query).catch(e => {
        if (!isConnectionReset(e)) throw e;
        return listOnce(path, query);
      }),
    watch(path, query, onEvent, onDone) {
      return new Watch(kubeConfig).watch(path, query, onEvent, err => {
        // client-node reports a refused watch by its HTTP status: give it the shape of an answer.
        const status = (err as { statusCode?: unknown } | null)?.statusCode;
        if (status === 401) onUnauthorized();
        onDone(
          typeof status === 'number'
            ? new ApiException(status, String(err), undefined, {})
            : err,
        );
      });
    },
  };
}
