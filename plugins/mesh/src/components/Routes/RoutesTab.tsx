import { Box, Button, Grid, Typography } from '@material-ui/core';
import {
  Expires,
  IntentIssue,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { issueAt } from '../fields/intentIssues';
import { IntentTextField } from '../fields/IntentTextField';
import { useState } from 'react';
import { DisabledReason } from '../fields/DisabledReason';
import { RouteEditor } from './RouteEditor';
import { moved, newRoute } from './routeDraft';
import { draftOf, intentWithRoutes, RouteDraft } from './routesDraft';

export interface RoutesTabProps {
  intent: TrafficIntent;
  versions: string[];
  clusters: string[];
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent, expires?: Expires): void;
}

/** The routes a review adds (by name): the ones "ends by itself after" applies to. */
function addedRoutes(before: TrafficIntent, after: TrafficIntent): string[] {
  const had = new Set((before.routes ?? []).map(r => r.name));
  return (after.routes ?? []).map(r => r.name).filter(n => !had.has(n));
}

/**
 * The ordered routes before the default split: each with its match alternatives (headers, uri,
 * method, query parameters, caller cluster; exact, prefix or regex), its split, fault, mirror,
 * timeout and retries. Routes are added, removed and reordered here; the Canary and Fault tabs
 * edit the same routes through their simple forms.
 */
export const RoutesTab = (props: RoutesTabProps) => {
  const { intent, versions, clusters, issues = [] } = props;
  const disabled = Boolean(props.disabledReason);
  const [drafts, setDrafts] = useState<RouteDraft[]>(() =>
    (intent.routes ?? []).map(draftOf),
  );
  const [endsAfter, setEndsAfter] = useState('');
  const review = () => {
    const next = intentWithRoutes(intent, drafts);
    const ends = endsAfter.trim();
    const added = addedRoutes(intent, next);
    if (!ends || !added.length) props.onReview(next);
    else
      props.onReview(next, {
        routes: Object.fromEntries(added.map(n => [n, { for: ends }])),
      });
  };
  const update = (i: number, next: RouteDraft) =>
    setDrafts(all => all.map((d, k) => (k === i ? next : d)));
  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <DisabledReason reason={props.disabledReason} />
        <Typography variant="body2">
          Requests are matched against the routes in order; the first that
          matches takes them, and the rest go to the default split.
        </Typography>
      </Grid>
      {drafts.map((route, i) => (
        <Grid item xs={12} key={i}>
          <RouteEditor
            index={i}
            count={drafts.length}
            route={route}
            versions={versions}
            clusters={clusters}
            disabled={disabled}
            issues={issues}
            onChange={next => update(i, next)}
            onMove={by => setDrafts(all => moved(all, i, by))}
            onRemove={() => setDrafts(all => all.filter((_, k) => k !== i))}
          />
        </Grid>
      ))}
      <Grid item xs={12} md={4}>
        <IntentTextField
          label="Routes added here end by themselves after (optional)"
          fullWidth
          value={endsAfter}
          disabled={disabled}
          helperText="e.g. 2h: each route added in this review is removed then, on every cluster"
          issue={issueAt(issues, 'expires.routes', { under: true })}
          onChange={e => setEndsAfter(e.target.value)}
        />
      </Grid>
      <Grid item xs={12}>
        <Box display="flex" style={{ gap: 8 }}>
          <Button
            variant="outlined"
            disabled={disabled}
            onClick={() =>
              setDrafts(all => [...all, draftOf(newRoute(all, versions[0]))])
            }
          >
            Add a route
          </Button>
          <Button
            variant="contained"
            color="primary"
            disabled={disabled}
            onClick={review}
          >
            Review
          </Button>
        </Box>
      </Grid>
    </Grid>
  );
};
