import {
  Checkbox,
  FormControlLabel,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { AccessPreview } from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * What applying must confirm: the callers the new access part turns away, by name, or `*` when
 * nobody could see them. Undefined when it turns nobody away.
 */
export function confirmationFor(
  preview: AccessPreview | undefined,
): string[] | undefined {
  if (!preview) return undefined;
  if (preview.unavailable) return ['*'];
  const callers = [...new Set(preview.turnedAway.map(t => t.caller))].sort();
  return callers.length ? callers : undefined;
}

/** The plan's access preview: who the new policy turns away, and the confirmation that names them. */
export const AccessPreviewView = ({
  preview,
  confirmed,
  onConfirm,
}: {
  preview: AccessPreview;
  confirmed: boolean;
  onConfirm(confirmed: boolean): void;
}) => {
  const names = confirmationFor(preview);
  return (
    <>
      <Typography variant="h6">Who may call</Typography>
      {preview.unavailable && (
        <Alert severity="warning">
          The callers this policy would turn away cannot be seen:{' '}
          {preview.unavailable}.
        </Alert>
      )}
      {!preview.unavailable && !preview.turnedAway.length && (
        <Alert severity="success">
          Every caller seen over the last {preview.window} is let in.
        </Alert>
      )}
      {preview.turnedAway.length > 0 && (
        <>
          <Alert severity="error">
            This policy turns away callers seen over the last {preview.window}:
            they will be answered 403.
          </Alert>
          <Table size="small" aria-label="Callers turned away">
            <TableHead>
              <TableRow>
                <TableCell>Caller</TableCell>
                <TableCell>Cluster</TableCell>
                <TableCell align="right">req/s</TableCell>
                <TableCell>Effect</TableCell>
                <TableCell>Why</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {preview.turnedAway.map(t => (
                <TableRow key={`${t.caller}@${t.cluster}`}>
                  <TableCell>{t.caller}</TableCell>
                  <TableCell>{t.cluster}</TableCell>
                  <TableCell align="right">
                    {t.requestRate.toFixed(2)}
                  </TableCell>
                  <TableCell>
                    {t.admission === 'denied' ? 'denied' : 'only some requests'}
                  </TableCell>
                  <TableCell>{t.reason}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
      {names && (
        <FormControlLabel
          control={
            <Checkbox
              checked={confirmed}
              onChange={e => onConfirm(e.target.checked)}
            />
          }
          label={
            names[0] === '*'
              ? 'Apply without seeing who it turns away'
              : `Turn away ${names.join(', ')}`
          }
        />
      )}
    </>
  );
};
