import type { ReactNode } from 'react';
import type { ActionState } from '../../lib/use-query';
import { Button } from './button';
import { Dialog } from './dialog';
import { ErrorMessage } from './error-message';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** The confirmed change: the dialog shows it pending and its error, and clears the error on cancel. */
  action: Pick<ActionState<unknown[], unknown>, 'pending' | 'error' | 'reset'>;
  /** Destructive confirmations are red and focus Cancel first, so Enter does not destroy anything by accident. */
  destructive?: boolean;
}

export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onCancel, action, destructive = true }: ConfirmDialogProps) {
  const { pending: busy, error } = action;
  const cancel = (): void => {
    action.reset();
    onCancel();
  };
  return (
    <Dialog
      open={open}
      title={title}
      onClose={cancel}
      actions={
        <>
          <Button onClick={cancel} data-autofocus={destructive ? '' : undefined} disabled={busy}>
            Cancel
          </Button>
          <Button variant={destructive ? 'danger' : 'primary'} onClick={onConfirm} busy={busy} data-autofocus={destructive ? undefined : ''}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      {error && <ErrorMessage error={error} />}
    </Dialog>
  );
}
