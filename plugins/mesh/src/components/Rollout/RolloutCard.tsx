import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Chip,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EntityMeshState,
  intentSummary,
  RolloutAction,
  RolloutState,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useEffect, useState } from 'react';
import { meshApiRef } from '../../api/MeshApi';

export const inProgress = (r?: RolloutState) =>
  r?.status === 'baking' || r?.status === 'paused';

/** While a rollout runs, the page reads the state again every few seconds to follow its waves. */
export function useRolloutRefresh(
  rollout: RolloutState | undefined,
  refresh: () => void,
  everyMs = 5000,
) {
  const running =
    rollout?.status === 'baking' || rollout?.status === 'rolling-back';
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(refresh, everyMs);
    return () => clearInterval(timer);
  }, [running, refresh, everyMs]);
}

const STATUS: Record<RolloutState['status'], string> = {
  baking: 'baking',
  paused: 'paused',
  completed: 'completed',
  'rolling-back': 'rolling back',
  'rolled-back': 'rolled back',
  failed: 'failed',
};

/** The waves, each with its clusters, state and when it landed. */
const Waves = ({ rollout }: { rollout: RolloutState }) => (
  <Table size="small" aria-label="Waves">
    <TableHead>
      <TableRow>
        <TableCell>Wave</TableCell>
        <TableCell>Clusters</TableCell>
        <TableCell>State</TableCell>
        <TableCell>Applied</TableCell>
      </TableRow>
    </TableHead>
    <TableBody>
      {rollout.waves.map((w, i) => (
        <TableRow key={w.clusters.join(',')}>
          <TableCell>{i + 1}</TableCell>
          <TableCell>{w.clusters.join(', ')}</TableCell>
          <TableCell>
            <Chip
              size="small"
              label={
                w.owed?.length
                  ? `${w.status}; not put back yet: ${w.owed.join(', ')}`
                  : w.status
              }
              color={w.status === 'done' ? 'primary' : 'default'}
            />
          </TableCell>
          <TableCell>
            {w.appliedAt ? new Date(w.appliedAt).toLocaleTimeString() : ''}
            {w.historyId ? ` (history #${w.historyId})` : ''}
          </TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

/** What each config cluster holds now: on purpose different while waves remain. */
const Holds = ({ state }: { state: EntityMeshState }) => (
  <Box mt={1}>
    {state.clusters
      .filter(c => c.isConfigCluster)
      .map(c => (
        <Typography key={c.cluster} variant="body2">
          <b>{c.cluster}</b> holds{' '}
          {c.intent ? intentSummary(c.intent) : 'no routing of this entity'}
        </Typography>
      ))}
  </Box>
);

const ACTIONS: Array<[RolloutAction, string, (r: RolloutState) => boolean]> = [
  ['pause', 'Pause', r => r.status === 'baking'],
  ['resume', 'Resume', r => r.status === 'paused'],
  ['finish', 'Finish now', () => true],
  ['rollback', 'Roll back', () => true],
];

/**
 * A host's rollout in waves: wave n of m, what each cluster holds, the next check, the last
 * evaluation; pause, resume, finish now or roll back while it runs, and how it ended after.
 */
export const RolloutCard = (props: {
  state: EntityMeshState;
  entity: CompoundEntityRef;
  disabledReason?: string;
  onChanged(): void;
}) => {
  const api = useApi(meshApiRef);
  const [error, setError] = useState<string>();
  const rollout = props.state.rollout;
  if (!rollout) return null;
  const done = rollout.waves.filter(w => w.status === 'done').length;
  const last = rollout.evaluations.at(-1);
  const act = (action: RolloutAction) =>
    api
      .rolloutAction(props.entity, action)
      .then(props.onChanged, e =>
        setError(String(e?.body?.error?.message ?? e?.message ?? e)),
      );
  return (
    <section aria-label="Rollout">
      <InfoCard
        title={`Rollout #${rollout.id}: wave ${done} of ${
          rollout.waves.length
        } done, ${STATUS[rollout.status]}`}
        subheader={`Started by ${rollout.startedBy}; ${
          rollout.bakeSeconds
        }s bake between waves${rollout.checks ? ', with checks' : ''}.`}
      >
        <Waves rollout={rollout} />
        {inProgress(rollout) && <Holds state={props.state} />}
        {rollout.nextCheckAt && (
          <Typography variant="body2">
            Next wave due at{' '}
            {new Date(rollout.nextCheckAt).toLocaleTimeString()}.
          </Typography>
        )}
        {last && (
          <Typography variant="body2">
            After wave {last.wave}: {last.verdict}, {last.reason}.
          </Typography>
        )}
        {rollout.reason && (
          <Typography variant="body2">{rollout.reason}.</Typography>
        )}
        {error && <Alert severity="error">{error}</Alert>}
        {inProgress(rollout) && (
          <Box display="flex" mt={1} style={{ gap: 8 }}>
            {ACTIONS.filter(([, , offered]) => offered(rollout)).map(
              ([action, label]) => (
                <Button
                  key={action}
                  variant="outlined"
                  disabled={Boolean(props.disabledReason)}
                  onClick={() => act(action)}
                >
                  {label}
                </Button>
              ),
            )}
          </Box>
        )}
      </InfoCard>
    </section>
  );
};
