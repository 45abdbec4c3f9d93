import { fieldId } from './IntentTextField';

const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

/**
 * A short visible label whose accessible name says which item it belongs to ("api-v3 match 1
 * condition 1: how" reads "How" on screen), and the field id to go with it.
 */
export function scopedLabel(scope: string, text: string) {
  return {
    id: fieldId(`${scope}: ${text}`),
    label: (
      <>
        <span style={visuallyHidden}>{scope}:</span> {text}
      </>
    ),
  };
}
