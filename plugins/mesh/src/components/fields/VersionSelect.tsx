import { TextField } from '@material-ui/core';
import { fieldId } from './IntentTextField';

export interface VersionSelectProps {
  label: string;
  value: string;
  versions: string[];
  /** Offers "none" (the empty value) under this label. */
  noneLabel?: string;
  disabled?: boolean;
  issue?: string;
  onChange(version: string): void;
}

/** One of the versions the service runs; a native select, so keyboards and screen readers know it. */
export const VersionSelect = ({
  label,
  value,
  versions,
  noneLabel,
  disabled,
  issue,
  onChange,
}: VersionSelectProps) => (
  <TextField
    select
    id={fieldId(label)}
    label={label}
    value={value}
    fullWidth
    margin="dense"
    disabled={disabled}
    error={Boolean(issue)}
    helperText={issue}
    SelectProps={{ native: true }}
    InputLabelProps={{ shrink: true }}
    onChange={e => onChange(e.target.value)}
  >
    {noneLabel !== undefined && <option value="">{noneLabel}</option>}
    {versions.map(v => (
      <option key={v} value={v}>
        {v}
      </option>
    ))}
  </TextField>
);
