import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
} from '@material-ui/core';
import { ReactNode } from 'react';

/** A question before a step that reaches further than the page suggests: Cancel, or go on. */
export const ConfirmDialog = (props: {
  open: boolean;
  id: string;
  title: string;
  confirmLabel: string;
  children: ReactNode;
  onCancel(): void;
  onConfirm(): void;
}) => (
  <Dialog open={props.open} onClose={props.onCancel} aria-labelledby={props.id}>
    <DialogTitle id={props.id}>{props.title}</DialogTitle>
    <DialogContent>{props.children}</DialogContent>
    <DialogActions>
      <Button onClick={props.onCancel}>Cancel</Button>
      <Button color="secondary" variant="contained" onClick={props.onConfirm}>
        {props.confirmLabel}
      </Button>
    </DialogActions>
  </Dialog>
);
