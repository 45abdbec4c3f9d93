export interface Config {
  /** Istio meshes whose routing the mesh plugin manages. */
  mesh?: {
    /** Members of this group (entity ref, e.g. group:default/platform) may change any service's routing. */
    adminGroup?: string;
    /**
     * Who decides which people may change an entity's routing. `owners` (the default): the
     * entity's owners and mesh.adminGroup only, whatever the permission policy allows (the policy
     * can narrow that, never widen it), so a portal with the allow-all policy or with permissions
     * disabled is still safe. `permission-policy`: the permission policy alone decides.
     */
    writeAccess?: 'owners' | 'permission-policy';
    /**
     * Seconds a host's change lock holds without renewal, i.e. after its holder died mid-change;
     * its pending change is then resolved from the journal. Default 30.
     */
    changeLockTtlSeconds?: number;
    /**
     * How often the backend looks for automatic canaries whose interval is over (one replica at a
     * time, by Backstage's scheduler). Default 10; each canary's own interval decides when it is judged.
     */
    canaryCheckSeconds?: number;
    /**
     * A Google service-account key (JSON) for GKE clusters (authProvider google). Without it,
     * `kubernetes.googleServiceAccountCredentials`, else Application Default Credentials.
     * @visibility secret
     */
    googleServiceAccountCredentials?: string;
    meshes: Array<{
      /** The mesh id, as entities name it in the `mesh.meshtraffic.io/mesh` annotation. */
      id: string;
      /**
       * The pod labels a service's workloads and versions carry: `app`/`version` by default, or
       * e.g. `app.kubernetes.io/name`/`app.kubernetes.io/version`. Subsets select on the version one.
       */
      workloadLabels?: { app?: string; version?: string };
      /**
       * How an intent is written on this mesh: `istio` (a VirtualService and DestinationRule, the
       * default) or `gateway-api` (an HTTPRoute attached to the Service, as Istio's GAMMA support
       * reads it, with one Service per version as its backends and a DestinationRule per version
       * Service for traffic policy). What the chosen API cannot express is refused.
       */
      routingApi?: 'istio' | 'gateway-api';
      /**
       * Routing objects that Argo CD or Flux manage (their tracking labels and annotations, or
       * their field managers in managedFields) are changed in Git: `refuse` (the default) never
       * adopts, rewrites or deletes them, mesh admins included, and never forces over a field a
       * GitOps tool co-manages on one of ours. `adoptable` lets them be adopted like any foreign
       * routing (by the mesh admins), for a mesh whose GitOps setup prunes nothing back.
       */
      gitOps?: 'refuse' | 'adoptable';
      /**
       * The trust domain of the mesh's workload identities (istiod's `meshConfig.trustDomain`,
       * the same on every cluster of a multi-cluster mesh): access rules turn a caller's service
       * account into the principal `<trustDomain>/ns/<namespace>/sa/<name>`. Default: cluster.local.
       */
      trustDomain?: string;
      /**
       * The longest a risky part of a service's routing (a fault, a mirror, a route) may stay, e.g.
       * 2h: one without an end of its own ends after this, and a longer end is refused (400). A
       * fault left on by mistake ends by itself. Without it, risky parts stay until changed.
       */
      maxRiskyChangeDuration?: string;
      /**
       * Namespaces a catalog entity may point at. Default: every namespace except kube-system,
       * kube-public, kube-node-lease, istio-system and the control plane's own.
       */
      allowedNamespaces?: string[];
      /**
       * Namespaces bound to the groups that own them: when a namespace is listed, only members of
       * its owners (and of mesh.adminGroup) may target services there.
       */
      namespaces?: Array<{
        name: string;
        /** Group entity refs, e.g. group:default/bookinfo-team. */
        owners: string[];
      }>;
      /** The control plane's namespace, never writable through the plugin. Default istio-system. */
      controlPlaneNamespace?: string;
      /**
       * The Prometheus that holds the mesh's Istio metrics (one per mesh, or a Thanos/Mimir query
       * front that sees every cluster, told apart by `destination_cluster` and `source_cluster`).
       */
      prometheus?: {
        /** e.g. http://prometheus.istio-system:9090 */
        url: string;
        /**
         * A bearer token for it.
         * @visibility secret
         */
        token?: string;
        /** Basic auth user. */
        username?: string;
        /**
         * Basic auth password.
         * @visibility secret
         */
        password?: string;
        /** When the metrics name clusters otherwise than the mesh config does: config name -> metric label value. */
        clusterLabels?: { [name: string]: string };
        /** Milliseconds per query; default 5000. */
        requestTimeout?: number;
      };
      clusters: Array<{
        /** The cluster's name in the mesh (Istio's `topology.istio.io/cluster`). */
        name: string;
        title?: string;
        /**
         * The API server URL. `http:` is refused when a token would be sent over it. With neither
         * `url` nor `authProvider`, the cluster of this name is taken from a cluster supplier:
         * the Kubernetes plugin's `kubernetes.clusterLocatorMethods` (type config), or a module's.
         * With authProvider kubeconfig or inCluster it defaults to the kubeconfig's cluster.
         */
        url?: string;
        /** primary: runs istiod that reads its own config; remote: configured from a primary; config: an external control plane's config cluster. */
        role: 'primary' | 'remote' | 'config';
        network?: string;
        region?: string;
        /**
         * How the backend authenticates: serviceAccount (a token), kubeconfig (a file and
         * context), inCluster (the pod's own service account, only when named), google (GKE),
         * aws (EKS through IAM), azure (AKS through Entra ID), or the key of a strategy a backend
         * module adds through meshAuthStrategyExtensionPoint.
         */
        authProvider?: string;
        /**
         * What the strategy reads, as in the Kubernetes plugin: e.g. `kubernetes.io/x-k8s-aws-id`,
         * `kubernetes.io/aws-assume-role` and `kubernetes.io/aws-external-id` for aws.
         * @visibility secret
         */
        authMetadata?: { [key: string]: string };
        /**
         * Bearer token, with authProvider serviceAccount.
         * @visibility secret
         */
        serviceAccountToken?: string;
        /** With authProvider kubeconfig: the kubeconfig file's path. */
        kubeconfigPath?: string;
        /** With authProvider kubeconfig: the context to use (default: the file's current context). */
        kubeconfigContext?: string;
        /**
         * Base64 PEM of the CA that signs the API server's certificate.
         * @visibility secret
         */
        caData?: string;
        /** Path to a PEM file of the CA. */
        caFile?: string;
        /** Skip TLS verification (development only; the backend logs a warning at startup). */
        skipTLSVerify?: boolean;
        /** Milliseconds each request to this cluster may take. Default 10000. */
        requestTimeout?: number;
      }>;
    }>;
  };
}
