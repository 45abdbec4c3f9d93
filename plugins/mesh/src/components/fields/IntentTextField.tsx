import { TextField, TextFieldProps } from '@material-ui/core';

/** An id for a field from its label, so the label names the input for assistive technology and tests. */
export const fieldId = (label: unknown) =>
  `mesh-${String(label)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')}`;

/** A labelled text field that shows the backend's issue for it, if any. */
export const IntentTextField = ({
  issue,
  ...props
}: TextFieldProps & { issue?: string }) => (
  <TextField
    id={fieldId(props.label)}
    margin="dense"
    {...props}
    error={Boolean(issue) || props.error}
    helperText={issue ?? props.helperText}
  />
);

/** '' stays unset; anything else becomes a number (NaN is left for validation to name). */
export const numberOrUndefined = (text: string) =>
  text.trim() === '' ? undefined : Number(text);
/** '' stays unset. */
export const textOrUndefined = (text: string) =>
  text.trim() === '' ? undefined : text.trim();
