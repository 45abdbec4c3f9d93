import { Typography } from '@material-ui/core';

/** Why the controls of a tab are disabled (no update permission), shown above them. */
export const DisabledReason = ({ reason }: { reason?: string }) =>
  reason ? (
    <Typography color="textSecondary" paragraph>
      {reason}
    </Typography>
  ) : null;
