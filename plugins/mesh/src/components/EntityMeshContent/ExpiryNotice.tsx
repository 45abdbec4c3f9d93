import { Box, Button, Grid } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  EntityMeshState,
  Expires,
  Expiry,
  RiskyPart,
  TrafficIntent,
  withoutPart,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useEffect, useState } from 'react';

/** How much an Extend adds to a part's end. */
export const EXTEND_BY_MS = 30 * 60_000;

/** `expires` naming one part (`fault`, `mirror`, `routes.<name>`). */
export function expiresFor(part: RiskyPart, expiry: Expiry): Expires {
  if (part === 'fault' || part === 'mirror') return { [part]: expiry };
  return { routes: { [part.slice('routes.'.length)]: expiry } };
}

const PART_NAME: Record<string, string> = {
  fault: 'The fault',
  mirror: 'Mirroring',
};
const partName = (part: string) =>
  PART_NAME[part] ?? `The route ${part.slice('routes.'.length)}`;

function remaining(ms: number): string {
  if (ms <= 0) return 'now';
  const minutes = Math.ceil(ms / 60_000);
  return minutes < 60
    ? `in ${minutes} min`
    : `in ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The time now, every `ms`: a countdown re-renders with it. */
function useNow(ms = 15_000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/**
 * The risky parts that end by themselves, each with its countdown: end it now, or give it
 * another half hour (the mesh may cap how long).
 */
export const ExpiryNotice = (props: {
  state: EntityMeshState;
  disabledReason?: string;
  onReview(intent: TrafficIntent, expires?: Expires): void;
}) => {
  const now = useNow();
  const { state, disabledReason, onReview } = props;
  const intent = state.intent;
  if (!intent || !state.expiries?.length) return null;
  return (
    <Grid item xs={12}>
      {state.expiries.map(e => {
        const end = Date.parse(e.expiresAt);
        const part = e.part as RiskyPart;
        return (
          <Alert
            key={e.part}
            severity="info"
            action={
              <Box display="flex" style={{ gap: 8 }}>
                <Button
                  size="small"
                  disabled={Boolean(disabledReason)}
                  onClick={() => onReview(withoutPart(intent, part))}
                >
                  End now
                </Button>
                <Button
                  size="small"
                  disabled={Boolean(disabledReason)}
                  onClick={() =>
                    onReview(
                      intent,
                      expiresFor(part, {
                        at: new Date(
                          Math.max(end, now) + EXTEND_BY_MS,
                        ).toISOString(),
                      }),
                    )
                  }
                >
                  Extend 30 min
                </Button>
              </Box>
            }
          >
            {partName(e.part)} ends by itself at{' '}
            {new Date(end).toLocaleTimeString()} ({remaining(end - now)}), as{' '}
            {e.setBy} set it.
          </Alert>
        );
      })}
    </Grid>
  );
};
