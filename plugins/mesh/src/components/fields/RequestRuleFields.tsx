import {
  Box,
  FormControlLabel,
  Radio,
  RadioGroup,
  Typography,
} from '@material-ui/core';
import { RequestRule } from '@meshtraffic/backstage-plugin-mesh-common';
import { IntentTextField } from './IntentTextField';

/** A rule as a form holds it; `none` when the rule is off. */
export interface RuleDraft {
  kind: 'none' | 'header' | 'cookie';
  name: string;
  value: string;
}

export function ruleFromDraft(draft: RuleDraft): RequestRule | undefined {
  if (draft.kind === 'header')
    return { header: draft.name.trim(), value: draft.value };
  if (draft.kind === 'cookie')
    return { cookie: draft.name.trim(), value: draft.value };
  return undefined;
}

/** The draft for a live rule, or `fallback` when there is none. */
export function draftFromRule(
  rule: RequestRule | undefined,
  fallback: RuleDraft,
): RuleDraft {
  if (!rule) return fallback;
  return 'header' in rule
    ? { kind: 'header', name: rule.header, value: rule.value }
    : { kind: 'cookie', name: rule.cookie, value: rule.value };
}

export interface RequestRuleFieldsProps {
  title: string;
  /** The label of "no rule"; without it a rule is required. */
  noneLabel?: string;
  draft: RuleDraft;
  disabled?: boolean;
  issue?: string;
  onChange(draft: RuleDraft): void;
}

/** Which requests a route is for: those carrying a header, or a cookie, with a value. */
export const RequestRuleFields = ({
  title,
  noneLabel,
  draft,
  disabled,
  issue,
  onChange,
}: RequestRuleFieldsProps) => (
  <Box mt={2}>
    <Typography variant="subtitle2">{title}</Typography>
    <RadioGroup
      row
      aria-label={title}
      value={draft.kind}
      onChange={e =>
        onChange({ ...draft, kind: e.target.value as RuleDraft['kind'] })
      }
    >
      {noneLabel && (
        <FormControlLabel
          value="none"
          control={<Radio />}
          label={noneLabel}
          disabled={disabled}
        />
      )}
      <FormControlLabel
        value="header"
        control={<Radio />}
        label="Header"
        disabled={disabled}
      />
      <FormControlLabel
        value="cookie"
        control={<Radio />}
        label="Cookie"
        disabled={disabled}
      />
    </RadioGroup>
    {draft.kind !== 'none' && (
      <Box display="flex" style={{ gap: 16 }}>
        <IntentTextField
          label={
            draft.kind === 'header'
              ? `${title}: header name`
              : `${title}: cookie name`
          }
          value={draft.name}
          disabled={disabled}
          issue={issue}
          onChange={e => onChange({ ...draft, name: e.target.value })}
        />
        <IntentTextField
          label={`${title}: value`}
          value={draft.value}
          disabled={disabled}
          onChange={e => onChange({ ...draft, value: e.target.value })}
        />
      </Box>
    )}
  </Box>
);
