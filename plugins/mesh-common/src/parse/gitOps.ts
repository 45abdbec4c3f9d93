import { RoutingObject } from '../generate/istioTypes';

/**
 * The GitOps tools whose objects this product leaves to Git.
 *
 * @public
 */
export type GitOpsTool = 'argo-cd' | 'flux';

/**
 * How a GitOps tool is known to manage an object: which tool, the application (Argo CD) or the
 * Kustomization / HelmRelease (Flux) when its metadata names one, and what told us.
 *
 * @public
 */
export interface GitOpsManagement {
  tool: GitOpsTool;
  /** `app` for Argo CD, `Kustomization ns/name` or `HelmRelease ns/name` for Flux. */
  source?: string;
  /** A tracking label or annotation, or only a field manager in `managedFields`. */
  via: 'metadata' | 'field-manager';
  /** The field manager, when that is what told us. */
  manager?: string;
}

/**
 * Argo CD's tracking annotation (its default since 3.0): `<app>:<group>/<kind>:<namespace>/<name>`.
 *
 * @public
 */
export const ARGO_CD_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
/**
 * Argo CD's label tracking under its own key (`application.instanceLabelKey`).
 *
 * @public
 */
export const ARGO_CD_INSTANCE_LABEL = 'argocd.argoproj.io/instance';

const FLUX_SOURCES = [
  { prefix: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' },
  { prefix: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease' },
];

/**
 * The field managers the tools apply with: Argo CD's server-side apply and its client-side apply
 * (which records the controller's name), Flux's two controllers.
 */
const GITOPS_MANAGERS: Record<string, GitOpsTool> = {
  'argocd-controller': 'argo-cd',
  'argocd-application-controller': 'argo-cd',
  'kustomize-controller': 'flux',
  'helm-controller': 'flux',
};

function fromArgoMetadata(
  meta: RoutingObject['metadata'],
): GitOpsManagement | undefined {
  const tracking = meta.annotations?.[ARGO_CD_TRACKING_ANNOTATION];
  if (tracking !== undefined)
    return {
      tool: 'argo-cd',
      // An application outside Argo CD's own namespace is tracked as `<namespace>_<app>`.
      source: tracking.split(':')[0].replace('_', '/') || undefined,
      via: 'metadata',
    };
  const instance = meta.labels?.[ARGO_CD_INSTANCE_LABEL];
  if (instance !== undefined)
    return { tool: 'argo-cd', source: instance || undefined, via: 'metadata' };
  return undefined;
}

function fromFluxMetadata(
  meta: RoutingObject['metadata'],
): GitOpsManagement | undefined {
  for (const { prefix, kind } of FLUX_SOURCES) {
    const name = meta.labels?.[`${prefix}/name`];
    if (name === undefined) continue;
    const namespace = meta.labels?.[`${prefix}/namespace`];
    return {
      tool: 'flux',
      source: `${kind} ${namespace ? `${namespace}/` : ''}${name}`,
      via: 'metadata',
    };
  }
  return undefined;
}

function fromFieldManagers(
  meta: RoutingObject['metadata'],
): GitOpsManagement | undefined {
  const entries = Array.isArray(meta.managedFields) ? meta.managedFields : [];
  for (const entry of entries) {
    const manager = (entry as { manager?: unknown })?.manager;
    if (typeof manager !== 'string') continue;
    const tool = GITOPS_MANAGERS[manager];
    if (tool) return { tool, via: 'field-manager', manager };
  }
  return undefined;
}

/**
 * Whether Argo CD or Flux manages an object: by the labels and annotations they track their
 * objects with, or, for an object someone else created, by a field they own in `managedFields`
 * (a tool co-managing one of ours shows only there).
 *
 * @public
 */
export function gitOpsManagement(
  obj: Pick<RoutingObject, 'metadata'>,
): GitOpsManagement | undefined {
  const meta = obj.metadata;
  return (
    fromArgoMetadata(meta) ?? fromFluxMetadata(meta) ?? fromFieldManagers(meta)
  );
}

const TOOL_NAMES: Record<GitOpsTool, string> = {
  'argo-cd': 'Argo CD',
  flux: 'Flux',
};

/**
 * Who manages the object in Git: which tool, which of its applications or how it showed.
 *
 * @public
 */
export function gitOpsManager(
  where: string,
  management: GitOpsManagement,
): string {
  const tool = TOOL_NAMES[management.tool];
  if (management.via === 'field-manager')
    return `${tool} co-manages fields of ${where} (field manager ${management.manager})`;
  if (!management.source) return `${where} is managed by ${tool}`;
  return management.tool === 'argo-cd'
    ? `${where} is managed by Argo CD application ${management.source}`
    : `${where} is managed by Flux ${management.source}`;
}

/**
 * The sentence a person acts on: who manages it, and that the change belongs in Git.
 *
 * @public
 */
export function describeGitOps(
  where: string,
  management: GitOpsManagement,
): string {
  return `${gitOpsManager(
    where,
    management,
  )}: change it in Git; the portal does not write over a GitOps tool`;
}
