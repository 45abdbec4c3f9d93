import { Table, TableColumn } from '@backstage/core-components';
import {
  Box,
  Button,
  Dialog,
  DialogContent,
  DialogTitle,
} from '@material-ui/core';
import {
  HistoryEntry,
  objectDiff,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useState } from 'react';

export interface HistoryTabProps {
  entries: HistoryEntry[];
  disabledReason?: string;
  onRollback(entry: HistoryEntry): void;
}

/** The table's columns; the last holds the Diff and Roll back buttons of each entry. */
function historyColumns(
  setShown: (entry: HistoryEntry) => void,
  disabledReason: string | undefined,
  onRollback: (entry: HistoryEntry) => void,
): TableColumn<HistoryEntry>[] {
  return [
    { title: 'When', render: e => new Date(e.createdAt).toLocaleString() },
    {
      title: 'Who',
      render: e => (
        <>
          {e.actor}
          {e.onBehalfOf && (
            <>
              <br />
              on behalf of {e.onBehalfOf}
            </>
          )}
          {e.viaAction && (
            <>
              <br />
              <small>through the action {e.viaAction}</small>
            </>
          )}
        </>
      ),
    },
    {
      title: 'What',
      render: e =>
        e.reason ? (
          <>
            {e.action}
            <br />
            <small>{e.reason}</small>
          </>
        ) : (
          e.action
        ),
    },
    {
      title: 'Split',
      render: e =>
        e.intentAfter?.split
          .map(
            d => `${d.version}${d.cluster ? `@${d.cluster}` : ''} ${d.weight}`,
          )
          .join(' / ') ?? 'removed',
    },
    {
      title: 'Outcome',
      render: e => e.clusters.map(c => `${c.cluster}: ${c.outcome}`).join(', '),
    },
    {
      title: '',
      render: e => (
        <Box display="flex" style={{ gap: 8 }}>
          <Button size="small" onClick={() => setShown(e)}>
            Diff
          </Button>
          <Button
            size="small"
            color="primary"
            disabled={Boolean(disabledReason) || !e.ok || !e.intentAfter}
            title={disabledReason}
            onClick={() => onRollback(e)}
            aria-label={`Roll back to change ${e.id}`}
          >
            Roll back
          </Button>
        </Box>
      ),
    },
  ];
}

/** Who changed the routing, when, what, the outcome per cluster; the diff; and a way back. */
export const HistoryTab = ({
  entries,
  disabledReason,
  onRollback,
}: HistoryTabProps) => {
  const [shown, setShown] = useState<HistoryEntry>();
  const columns = historyColumns(setShown, disabledReason, onRollback);
  return (
    <>
      <Table<HistoryEntry>
        title="History"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={entries}
      />
      {shown && (
        <Dialog
          open
          onClose={() => setShown(undefined)}
          maxWidth="md"
          fullWidth
        >
          <DialogTitle>Change {shown.id}: intent before and after</DialogTitle>
          <DialogContent>
            <pre style={{ fontSize: 12 }}>
              {objectDiff(
                'intent',
                shown.intentBefore ?? {},
                shown.intentAfter ?? {},
              ) || 'no change'}
            </pre>
          </DialogContent>
        </Dialog>
      )}
    </>
  );
};
