import { MenuItem } from '@material-ui/core';

/** A select's options: each value as itself, after an empty "none" option when one is named. */
export function menuItems(values: string[], none?: string) {
  return [
    ...(none !== undefined
      ? [
          <MenuItem key="" value="">
            {none}
          </MenuItem>,
        ]
      : []),
    ...values.map(v => (
      <MenuItem key={v} value={v}>
        {v}
      </MenuItem>
    )),
  ];
}
