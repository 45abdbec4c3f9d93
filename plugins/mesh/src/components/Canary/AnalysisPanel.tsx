import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Button, Chip, Typography } from '@material-ui/core';
import {
  CanaryEvaluation,
  ClusterCheck,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useEffect, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { meshApiRef } from '../../api/MeshApi';

const REFRESH_MS = 5_000;

const VERDICT_COLOR = {
  pass: 'primary',
  fail: 'secondary',
  inconclusive: 'default',
} as const;

const figures = (c: ClusterCheck) =>
  [
    `${c.requests} req`,
    c.successRate !== undefined ? `${c.successRate}% ok` : undefined,
    c.latencyMs !== undefined ? `${c.latencyMs} ms` : undefined,
  ]
    .filter(Boolean)
    .join(', ');

const columns: TableColumn<CanaryEvaluation>[] = [
  {
    title: 'When',
    render: e => new Date(e.createdAt).toLocaleTimeString(),
  },
  { title: 'Step', field: 'step' },
  {
    title: 'Verdict',
    render: e => (
      <Chip size="small" label={e.verdict} color={VERDICT_COLOR[e.verdict]} />
    ),
  },
  {
    title: 'Per cluster',
    render: e =>
      e.clusters.map(c => (
        <Chip
          key={c.cluster}
          size="small"
          variant="outlined"
          color={VERDICT_COLOR[c.verdict]}
          label={`${c.cluster}: ${figures(c)}`}
          title={c.reasons.join('; ')}
        />
      )),
  },
  { title: 'Action', field: 'action' },
  { title: 'Why', field: 'reason' },
];

/**
 * The analysis of the entity's automatic canary as it happens: when the next judgement is, and
 * every evaluation with each cluster's figures and why it advanced, waited or aborted. A change
 * the analysis made reloads the page's routing.
 */
export const AnalysisPanel = (props: {
  entity: CompoundEntityRef;
  onRoutingChanged(): void;
}) => {
  const { entity, onRoutingChanged } = props;
  const api = useApi(meshApiRef);
  const { value, error, retry } = useAsyncRetry(
    () => api.getCanaryAnalysis(entity),
    [api, entity],
  );
  useInterval(retry, REFRESH_MS);
  // Pages older than the newest (which refreshes), fetched on request.
  const [older, setOlder] = useState<{
    items: CanaryEvaluation[];
    before?: number;
    done?: boolean;
  }>({ items: [] });
  const seenChange = useRef<number | undefined | null>(null);
  const latestChange = value?.evaluations.find(e => e.historyId)?.historyId;
  useEffect(() => {
    if (!value) return;
    if (seenChange.current !== null && seenChange.current !== latestChange)
      onRoutingChanged();
    seenChange.current = latestChange;
  }, [value, latestChange, onRoutingChanged]);

  if (error)
    return (
      <WarningPanel
        severity="warning"
        title="The canary analysis could not be read"
        message={error.message}
      />
    );
  const run = value?.run;
  return (
    <section aria-label="Canary analysis">
      <InfoCard title="Canary analysis">
        <Typography variant="body2" gutterBottom>
          {run
            ? `Step ${run.step} is judged next at ${new Date(
                run.nextEvaluationAt,
              ).toLocaleTimeString()}; ${
                run.failures
              } failed interval(s) so far, ${
                run.inconclusive
              } in a row too quiet to judge, ${
                run.errors
              } in a row without metrics; this step started ${new Date(
                run.stepSince,
              ).toLocaleTimeString()}. Changes are made on behalf of ${
                run.startedBy
              }.`
            : 'No automatic canary is running.'}
        </Typography>
        {!!value?.evaluations.length && (
          <Table<CanaryEvaluation>
            title="Evaluations"
            options={{ paging: false, search: false, padding: 'dense' }}
            columns={columns}
            data={[...value.evaluations, ...older.items]}
          />
        )}
        {(older.before ?? value?.olderBefore) !== undefined && (
          <Button
            size="small"
            onClick={() =>
              api
                .getCanaryAnalysis(entity, {
                  before: older.before ?? value!.olderBefore,
                })
                .then(page =>
                  setOlder(o => ({
                    items: [...o.items, ...page.evaluations],
                    before: page.olderBefore,
                    done: page.olderBefore === undefined,
                  })),
                )
            }
            disabled={older.done}
          >
            Older evaluations
          </Button>
        )}
        {value?.pruned && (
          <Typography variant="body2" color="textSecondary">
            {`${value.pruned.count} earlier evaluation(s), from ${new Date(
              value.pruned.from,
            ).toLocaleString()} to ${new Date(
              value.pruned.to,
            ).toLocaleString()}, are kept in sum only: ${
              value.pruned.pass
            } passed, ${value.pruned.fail} failed, ${
              value.pruned.inconclusive
            } inconclusive; ${value.pruned.acted} moved the canary.`}
          </Typography>
        )}
      </InfoCard>
    </section>
  );
};
