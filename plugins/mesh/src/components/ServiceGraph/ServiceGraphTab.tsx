import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import {
  DependencyGraph,
  DependencyGraphTypes,
  InfoCard,
  Progress,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { Typography } from '@material-ui/core';
import { ServiceGraph } from '@meshtraffic/backstage-plugin-mesh-common';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshApiRef } from '../../api/MeshApi';
import {
  ms,
  percent,
  Unavailable,
  WindowSelect,
} from '../LiveTraffic/LiveTrafficCard';
import { graphModel, GraphModel, PeerSummary } from './graphModel';
import { useGraphCatalog } from './useGraphCatalog';

const WINDOWS = ['5m', '15m', '1h', '6h'];
const SELF = 'self';

const rate = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)}/s`;
const share = (n?: number) => percent(n === undefined ? undefined : 100 * n);

const MTLS_LABEL: Record<NonNullable<PeerSummary['mtls']>, string> = {
  mutual_tls: 'mutual TLS',
  none: 'plain text',
  partial: 'partly mutual TLS',
  unknown: 'unknown',
};

const DECLARATION_LABEL: Record<PeerSummary['declaration'], string> = {
  declared: 'declared',
  undeclared: 'not declared in the catalog',
  'no-entity': 'no catalog entity',
};

type NodeData = { label: string; peer?: PeerSummary };
type EdgeData = { peer: PeerSummary };

const edgeLabel = (p: PeerSummary) =>
  [
    rate(p.requestRate),
    `5xx ${share(p.errorRate)}`,
    `p99 ${ms(p.p99Ms)}`,
    ...(p.mtls && p.mtls !== 'mutual_tls' ? [MTLS_LABEL[p.mtls]] : []),
    ...(p.declaration === 'declared' ? [] : [DECLARATION_LABEL[p.declaration]]),
  ].join(' · ');

/** A node as a labelled box; a peer with a catalog entity opens it when clicked. */
function useRenderNode(self: string) {
  const entityRoute = useRouteRef(entityRouteRef);
  const navigate = useNavigate();
  return ({ node }: DependencyGraphTypes.RenderNodeProps<NodeData>) => {
    const width = Math.max(80, node.label.length * 8 + 24);
    const ref = node.peer?.entityRef;
    const open =
      ref && entityRoute
        ? () => navigate(entityRoute(parseEntityRef(ref)))
        : undefined;
    const undeclared = node.peer && node.peer.declaration !== 'declared';
    return (
      <g
        role={open ? 'link' : undefined}
        aria-label={open ? `Open ${ref}` : node.label}
        onClick={open}
        style={{ cursor: open ? 'pointer' : 'default' }}
      >
        <rect
          width={width}
          height={36}
          rx={6}
          fill={node.id === SELF ? '#1f5493' : '#ffffff'}
          stroke={undeclared ? '#c77700' : '#1f5493'}
          strokeWidth={2}
          strokeDasharray={undeclared ? '4 3' : undefined}
        />
        <text
          x={width / 2}
          y={23}
          textAnchor="middle"
          fontSize={13}
          fill={node.id === SELF ? '#ffffff' : '#1f1f1f'}
        >
          {node.id === SELF ? self : node.label}
        </text>
      </g>
    );
  };
}

const renderLabel = ({
  edge,
}: DependencyGraphTypes.RenderLabelProps<EdgeData>) => (
  <text fontSize={11} textAnchor="middle">
    {edge.label}
  </text>
);

function graphParts(service: string, model: GraphModel) {
  const nodes: DependencyGraphTypes.DependencyNode<NodeData>[] = [
    { id: SELF, label: service },
    ...model.peers.map(peer => ({ id: peer.id, label: peer.service, peer })),
  ];
  const edges: DependencyGraphTypes.DependencyEdge<EdgeData>[] =
    model.peers.map(peer =>
      peer.direction === 'inbound'
        ? { from: peer.id, to: SELF, peer, label: edgeLabel(peer) }
        : { from: SELF, to: peer.id, peer, label: edgeLabel(peer) },
    );
  return { nodes, edges };
}

const columns: TableColumn<PeerSummary>[] = [
  {
    title: 'Direction',
    render: p => (p.direction === 'inbound' ? 'calls it' : 'called by it'),
  },
  {
    title: 'Service',
    render: p =>
      p.entityRef ? (
        <EntityRefLink entityRef={p.entityRef} />
      ) : (
        `${p.service}.${p.namespace}`
      ),
  },
  { title: 'Catalog', render: p => DECLARATION_LABEL[p.declaration] },
  { title: 'Clusters', render: p => p.clusters.join(', ') },
  { title: 'Requests', render: p => rate(p.requestRate) },
  { title: '5xx', render: p => share(p.errorRate) },
  { title: 'p99', render: p => ms(p.p99Ms) },
  { title: 'mTLS', render: p => (p.mtls ? MTLS_LABEL[p.mtls] : '—') },
  {
    title: 'Principals',
    // SPIFFE IDs are long and have no spaces: let them wrap anywhere rather than overflow.
    cellStyle: { wordBreak: 'break-all', minWidth: 180 },
    render: p => p.principals.join(', ') || '—',
  },
];

const Unobserved = ({ model }: { model: GraphModel }) =>
  model.unobserved.length ? (
    <Typography variant="body2" component="div">
      Declared in the catalog but not seen over the window:{' '}
      {model.unobserved.map((u, i) => (
        <span key={`${u.direction}:${u.entityRef}`}>
          {i > 0 && ', '}
          <EntityRefLink entityRef={u.entityRef} />{' '}
          {u.direction === 'inbound' ? '(caller)' : '(callee)'}
        </span>
      ))}
    </Typography>
  ) : null;

const GraphView = ({
  graph,
  model,
}: {
  graph: ServiceGraph;
  model: GraphModel;
}) => {
  const renderNode = useRenderNode(graph.service);
  const { nodes, edges } = useMemo(
    () => graphParts(graph.service, model),
    [graph.service, model],
  );
  if (!model.peers.length)
    return (
      <Typography variant="body2">
        No calls to or from {graph.service} over the last {graph.window}.
      </Typography>
    );
  return (
    <>
      <div aria-label="Service graph drawing">
        <DependencyGraph<NodeData, EdgeData>
          nodes={nodes}
          edges={edges}
          renderNode={renderNode}
          renderLabel={renderLabel}
          direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
          rankMargin={220}
          nodeMargin={40}
          showArrowHeads
          zoom="disabled"
          fit="contain"
        />
      </div>
      <Unobserved model={model} />
      <Table<PeerSummary>
        title={`Callers and callees, last ${graph.window}`}
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={model.peers}
      />
    </>
  );
};

/**
 * Who calls the service and whom it calls, from the mesh's Prometheus, beside what the catalog
 * declares: each neighbour links to its entity, and a call the catalog does not declare (or a
 * declared relation nobody used) is marked.
 */
export const ServiceGraphTab = ({
  entityRef,
  mesh,
}: {
  entityRef: CompoundEntityRef;
  mesh: string;
}) => {
  const { entity } = useEntity();
  const api = useApi(meshApiRef);
  const [range, setRange] = useState('5m');
  const graph = useAsyncRetry(
    () => api.getServiceGraph(entityRef, range),
    [api, entityRef, range],
  );
  const catalog = useGraphCatalog(entity, mesh, graph.value);
  const model = useMemo(() => {
    if (!graph.value || catalog.loading) return undefined;
    return graphModel(
      graph.value,
      catalog.value?.entityOf ?? (() => undefined),
      catalog.value?.declared ?? { callers: [], callees: [] },
    );
  }, [graph.value, catalog.loading, catalog.value]);
  return (
    <section aria-label="Service graph">
      <InfoCard
        title="Service graph"
        subheader="Who calls this service and whom it calls, per cluster, from Istio's standard metrics; dashed: not declared in the catalog"
        action={
          <WindowSelect value={range} onChange={setRange} windows={WINDOWS} />
        }
      >
        {(graph.loading || catalog.loading) && !model && !graph.error && (
          <Progress />
        )}
        {graph.error && <Unavailable error={graph.error} />}
        {catalog.error && (
          <WarningPanel
            severity="info"
            title="The catalog could not be read"
            message={`${catalog.error.message}. The graph is shown without links or declared relations.`}
          />
        )}
        {graph.value && model && !graph.error && (
          <GraphView graph={graph.value} model={model} />
        )}
      </InfoCard>
    </section>
  );
};
