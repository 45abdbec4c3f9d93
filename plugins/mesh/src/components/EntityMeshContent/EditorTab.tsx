import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  Expires,
  EntityMeshState,
  IntentIssue,
  startingIntent,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
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
    | 'Resilience';
  state: EntityMeshState;
  regions: string[];
  disabledReason?: string;
  issues: IntentIssue[];
  onReview(intent: TrafficIntent, expires?: Expires): void;
  entity: CompoundEntityRef;
  /** Something other than this page (the canary analysis) changed the routing. */
  onRoutingChanged(): void;
}

/** The tabs that edit the one intent; each starts from the live intent (or the last applied one) and sends its edit to Review. */
export const EditorTab = ({
  tab,
  state,
  regions,
  entity,
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
    default:
      return <ResilienceTab intent={intent} regions={regions} {...common} />;
  }
};
