/** One page of a list, as the API server answers it. */
export interface ListPage {
  items: unknown[];
  metadata: { resourceVersion?: string; continue?: string };
}

/**
 * The two calls a watch cache makes to a cluster, with the cluster's own credentials and
 * connections: a page of a list, and a watch stream.
 */
export interface WatchTransport {
  listPage(path: string, query: Record<string, string>): Promise<ListPage>;
  /**
   * Opens a watch; `onEvent` gets each line, `onDone` is called once when the stream ends (with
   * the error that ended it, if any). Resolves, once the stream is open or has failed, to what
   * aborts it.
   */
  watch(
    path: string,
    query: Record<string, string | number | boolean>,
    onEvent: (type: string, object: any) => void,
    onDone: (err: unknown) => void,
  ): Promise<AbortController>;
}
