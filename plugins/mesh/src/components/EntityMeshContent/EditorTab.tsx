import { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import {
  Expires,
  EntityMeshState,
  IntentIssue,
  MeshSummary,
  startingIntent,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { AccessTab } from '../Access/AccessTab';
import { CanaryTab } from '../Canary/CanaryTab';
import { FaultInjectionTab } from '../FaultInjection/FaultInjectionTab';
import { ResilienceTab } from '../Resilience/ResilienceTab';
import { RoutesTab } from '../Routes/RoutesTab';
import { TrafficSplitTab, versionsOf } from '../TrafficSplit/TrafficSplitTab';
import { useUnsupported } from '../routingApi';

export interface EditorTabProps {
  tab:
    | 'Traffic split'
    | 'Routes'
    | 'Canary & mirroring'
    | 'Fault injection'
    | 'Resilience'
    | 'Access';
  state: EntityMeshState;
  regions: string[];
  disabledReason?: string;
  issues: IntentIssue[];
  onReview(intent: TrafficIntent, expires?: Expires): void;
  entity: CompoundEntityRef;
  /** The catalog entity and its mesh: the Access tab picks callers from its relations and the mesh's clusters. */
  catalogEntity: Entity;
  mesh: MeshSummary;
  /** Something other than this page (the canary analysis) changed the routing. */
  onRoutingChanged(): void;
}

/** The tabs that edit the one intent; each starts from the live intent (or the last applied one) and sends its edit to Review. */
export const EditorTab = ({
  tab,
  state,
  regions,
  entity,
  catalogEntity,
  mesh,
  onRoutingChanged,
  ...common
}: EditorTabProps) => {
  const versions = versionsOf(state);
  const intent = startingIntent(state, versions);
  const noFault = useUnsupported('fault');
  switch (tab) {
    case 'Traffic split':
      return <TrafficSplitTab state={state} {...common} />;
    case 'Routes':
      return (
        <RoutesTab
          intent={intent}
          versions={versions}
          clusters={state.clusters.map(c => c.cluster)}
          {...common}
        />
      );
    case 'Canary & mirroring':
      return (
        <CanaryTab
          intent={intent}
          versions={versions}
          entity={entity}
          onRoutingChanged={onRoutingChanged}
          {...common}
        />
      );
    case 'Fault injection':
      return (
        <FaultInjectionTab
          intent={intent}
          service={state.target.service}
          {...common}
          disabledReason={common.disabledReason ?? noFault}
        />
      );
    case 'Access':
      return (
        <AccessTab
          intent={intent}
          entity={catalogEntity}
          entityRef={entity}
          mesh={mesh}
          service={state.target.service}
          {...common}
        />
      );
    default:
      return <ResilienceTab intent={intent} regions={regions} {...common} />;
  }
};
