import {
  Content,
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { Grid, Tab, Tabs, Typography } from '@material-ui/core';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EntityMeshState,
  HistoryEntry,
  IntentIssue,
  MeshSummary,
  MeshTarget,
  meshTrafficUpdatePermission,
  serviceHost,
  TrafficIntent,
  Expires,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useCallback, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshApiRef } from '../../api/MeshApi';
import { HistoryTab } from '../History/HistoryTab';
import { LiveTrafficCard } from '../LiveTraffic/LiveTrafficCard';
import { MeshClusterRow, MeshClustersTable } from '../MeshClustersTable';
import { SplitBar } from '../Overview/SplitBar';
import { WorkloadsTable } from '../Overview/WorkloadsTable';
import { ReviewDialog } from '../ReviewDialog/ReviewDialog';
import { OwnershipNotice } from './OwnershipNotice';
import { ExpiryNotice } from './ExpiryNotice';
import { UnfinishedChangeNotice } from './UnfinishedChangeNotice';
import { DriftNotice } from './DriftNotice';
import { EditorTab } from './EditorTab';
import { useMeshClusters } from '../useMeshClusters';
import { useMeshState } from '../useMeshState';
import { useRoutingActions } from './useRoutingActions';
import {
  inProgress,
  RolloutCard,
  useRolloutRefresh,
} from '../Rollout/RolloutCard';
import { ROUTING_API_LABEL, RoutingApiProvider } from '../routingApi';
import { ServiceGraphTab } from '../ServiceGraph/ServiceGraphTab';

const TABS = [
  'Overview',
  'Graph',
  'Traffic split',
  'Routes',
  'Canary & mirroring',
  'Fault injection',
  'Resilience',
  'Access',
  'History',
] as const;

type TabName = (typeof TABS)[number];

/** The tabs that edit the intent; the others read (Overview, Graph) or list changes (History). */
const isEditorTab = (
  tab: TabName,
): tab is Exclude<TabName, 'Overview' | 'Graph' | 'History'> =>
  tab !== 'Overview' && tab !== 'Graph' && tab !== 'History';

/** Each tab's path under the Mesh tab (`.../mesh/split`), so a link in a chat or an incident opens it. */
export const TAB_PATHS: Record<TabName, string> = {
  Overview: '',
  Graph: 'graph',
  'Traffic split': 'split',
  Routes: 'routes',
  'Canary & mirroring': 'canary',
  'Fault injection': 'faults',
  Resilience: 'resilience',
  Access: 'access',
  History: 'history',
};

/**
 * The tab the path below the Mesh tab names (the Overview when it names none), and a way to change
 * it that changes the URL, so Back and a shared link both land on the tab. The entity page mounts
 * the Mesh tab at `mesh/*`: what the splat holds is the tab's; what comes before it is the Mesh
 * tab's own path, which every tab's path is made from (absolute, whatever the router's relative
 * splat rules).
 */
function useTabFromPath(): [TabName, (tab: TabName) => void] {
  const rest = useParams()['*'] ?? '';
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const slug = rest.split('/')[0];
  const tab = TABS.find(t => TAB_PATHS[t] !== '' && TAB_PATHS[t] === slug);
  const base = pathname
    .slice(0, pathname.length - rest.length)
    .replace(/\/+$/, '');
  return [
    tab ?? 'Overview',
    next => navigate(`${base}/${TAB_PATHS[next]}`.replace(/\/$/, '') || '/'),
  ];
}

const ServiceCard = ({
  target,
  mesh,
}: {
  target: Omit<MeshTarget, 'entityRef'>;
  mesh: MeshSummary;
}) => (
  <Grid item xs={12}>
    <InfoCard title="Service">
      <Typography variant="body1">
        Host <code>{serviceHost(target)}</code> in mesh <b>{mesh.id}</b> (
        {mesh.kind}); routing is written to {mesh.configClusters.join(', ')}.
      </Typography>
      <Typography variant="body2" color="textSecondary">
        Routing API: {ROUTING_API_LABEL[mesh.routingApi]}
      </Typography>
    </InfoCard>
  </Grid>
);

const TabBar = ({
  tab,
  onChange,
}: {
  tab: TabName;
  onChange(tab: TabName): void;
}) => (
  <Grid item xs={12}>
    <Tabs
      value={tab}
      onChange={(_, v) => onChange(v)}
      indicatorColor="primary"
      aria-label="Mesh routing"
      variant="scrollable"
    >
      {TABS.map(t => (
        <Tab key={t} label={t} value={t} />
      ))}
    </Tabs>
  </Grid>
);

const Loading = ({ loading, error }: { loading: boolean; error?: Error }) => (
  <>
    {loading && (
      <Grid item xs={12}>
        <Progress />
      </Grid>
    )}
    {error && (
      <Grid item xs={12}>
        <ResponseErrorPanel error={error} />
      </Grid>
    )}
  </>
);

const OverviewTab = ({
  state,
  rows,
  entity,
}: {
  state?: EntityMeshState;
  rows: MeshClusterRow[];
  entity: CompoundEntityRef;
}) => (
  <>
    {state?.intent && (
      <Grid item xs={12}>
        <InfoCard title="Current split">
          <SplitBar split={state.intent.split} />
        </InfoCard>
      </Grid>
    )}
    {state?.rollout && !inProgress(state.rollout) && (
      <Grid item xs={12}>
        <RolloutCard state={state} entity={entity} onChanged={() => {}} />
      </Grid>
    )}
    <Grid item xs={12}>
      <LiveTrafficCard entity={entity} />
    </Grid>
    {state && (
      <Grid item xs={12}>
        <WorkloadsTable clusters={state.clusters} />
      </Grid>
    )}
    <Grid item xs={12}>
      <MeshClustersTable title="Clusters" rows={rows} />
    </Grid>
  </>
);

type MeshRoutingProps = {
  target: Omit<MeshTarget, 'entityRef'>;
  mesh: MeshSummary;
  rows: MeshClusterRow[];
};

/** Why the controls are disabled: the update permission on the entity is missing. */
function useDisabledReason(entity: Entity): string | undefined {
  const update = usePermission({
    permission: meshTrafficUpdatePermission,
    resourceRef: stringifyEntityRef(entity),
  });
  return update.loading || update.allowed
    ? undefined
    : 'You may not change this service’s routing: only its owners may.';
}

const HistoryPanel = (props: {
  history: { value?: HistoryEntry[]; error?: Error };
  disabledReason?: string;
  onRollback(entry: HistoryEntry): void;
}) => (
  <Grid item xs={12}>
    {props.history.error ? (
      <ResponseErrorPanel error={props.history.error} />
    ) : (
      <HistoryTab
        entries={props.history.value ?? []}
        disabledReason={props.disabledReason}
        onRollback={props.onRollback}
      />
    )}
  </Grid>
);

/** What anyone must know before editing: who holds the host, hand edits, unfinished changes, a rollout in progress. */
const RoutingNotices = (props: {
  state: EntityMeshState;
  entity: CompoundEntityRef;
  disabledReason?: string;
  onReview(intent: TrafficIntent, expires?: Expires): void;
  onRemove(): void;
  onChanged(): void;
}) => (
  <>
    <OwnershipNotice state={props.state} />
    <ExpiryNotice {...props} />
    <DriftNotice {...props} />
    <UnfinishedChangeNotice {...props} />
    {inProgress(props.state.rollout) && (
      <Grid item xs={12}>
        <RolloutCard {...props} />
      </Grid>
    )}
  </>
);

/** The intent under review, the issues its plan found, and a reload that starts the tabs afresh. */
function useReviewState(retry: () => void, retryHistory: () => void) {
  const [reviewing, setReviewingState] = useState<Reviewing>();
  const [issues, setIssues] = useState<IntentIssue[]>([]);
  const [generation, setGeneration] = useState(0);
  const setReviewing = useCallback(
    (intent: TrafficIntent | undefined, expires?: Expires) =>
      setReviewingState(intent ? { intent, expires } : undefined),
    [],
  );
  const reload = useCallback(() => {
    setReviewingState(undefined);
    retry();
    retryHistory();
    setGeneration(g => g + 1);
  }, [retry, retryHistory]);
  return { reviewing, setReviewing, issues, setIssues, generation, reload };
}

/** The intent under review, and when its risky parts end, if the tab said. */
type Reviewing = { intent: TrafficIntent; expires?: Expires };

const regionsOf = (rows: MeshClusterRow[]) =>
  [...new Set(rows.flatMap(r => (r.region ? [r.region] : [])))].sort();

const MeshRouting = ({ target, mesh, rows }: MeshRoutingProps) => {
  const { entity } = useEntity();
  const api = useApi(meshApiRef);
  const { ref, value: state, loading, error, retry } = useMeshState();
  const history = useAsyncRetry(() => api.getHistory(ref), [api, ref]);
  const disabledReason = useDisabledReason(entity);
  const [tab, setTab] = useTabFromPath();
  const { reviewing, setReviewing, issues, setIssues, generation, reload } =
    useReviewState(retry, history.retry);
  const plan = useCallback(
    (intent: TrafficIntent, options: { adopt: boolean; expires?: Expires }) =>
      api.plan(ref, intent, options),
    [api, ref],
  );
  const { onRollback, onRemove } = useRoutingActions(ref, state, reload);
  useRolloutRefresh(state?.rollout, retry);
  const regions = regionsOf(rows);

  return (
    <Content>
      <RoutingApiProvider routingApi={mesh.routingApi}>
        <Grid container spacing={3}>
          <ServiceCard target={target} mesh={mesh} />
          <TabBar tab={tab} onChange={setTab} />
          <Loading loading={loading && !state} error={error} />
          {state && (
            <RoutingNotices
              state={state}
              entity={ref}
              disabledReason={disabledReason}
              onReview={setReviewing}
              onRemove={onRemove}
              onChanged={reload}
            />
          )}
          {tab === 'Overview' && (
            <OverviewTab state={state} rows={rows} entity={ref} />
          )}
          {tab === 'Graph' && (
            <Grid item xs={12}>
              <ServiceGraphTab entityRef={ref} mesh={mesh.id} />
            </Grid>
          )}
          {isEditorTab(tab) && state && (
            <Grid item xs={12}>
              <EditorTab
                key={`${tab}-${state.revision}-${generation}`}
                {...{ tab, state, regions, disabledReason, issues }}
                {...{ entity: ref, onRoutingChanged: reload }}
                {...{ catalogEntity: entity, mesh }}
                onReview={setReviewing}
              />
            </Grid>
          )}
          {tab === 'History' && (
            <HistoryPanel
              history={history}
              disabledReason={disabledReason}
              onRollback={onRollback}
            />
          )}
        </Grid>
        {reviewing && (
          <ReviewDialog
            intent={reviewing.intent}
            expires={reviewing.expires}
            service={target.service}
            configClusters={mesh.configClusters}
            plan={plan}
            apply={request => api.apply(ref, request)}
            onIssues={setIssues}
            onApplied={() => {
              setIssues([]);
              history.retry();
            }}
            onReload={reload}
            onClose={() => {
              setReviewing(undefined);
              retry();
              history.retry();
            }}
          />
        )}
      </RoutingApiProvider>
    </Content>
  );
};

/**
 * The Mesh tab: the service's place in its mesh, its routing, and the tabs that change it.
 *
 * @public
 */
export const EntityMeshContent = () => {
  const clusters = useMeshClusters();
  const target = clusters.target;
  if (!target) {
    return (
      <EmptyState
        missing="field"
        title="No mesh annotation"
        description="Add mesh.meshtraffic.io/mesh (and optionally mesh.meshtraffic.io/service and mesh.meshtraffic.io/namespace) to this entity."
      />
    );
  }
  if (clusters.loading) return <Progress />;
  if (clusters.error) return <ResponseErrorPanel error={clusters.error} />;
  if (!clusters.value?.mesh) {
    return (
      <EmptyState
        missing="info"
        title={`Mesh ${target.mesh} is not configured`}
        description="The portal's mesh.meshes config has no mesh with this id; ask the portal's operators to add it."
      />
    );
  }
  return (
    <MeshRouting
      target={target}
      mesh={clusters.value.mesh}
      rows={clusters.value.rows}
    />
  );
};
