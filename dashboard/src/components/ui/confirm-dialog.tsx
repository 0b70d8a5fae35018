import type { ReactNode } from 'react';
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
  busy?: boolean;
  error?: Error | null;
  /** Destructive confirmations are red and focus Cancel first, so Enter does not destroy anything by accident. */
  destructive?: boolean;
}

export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onCancel, busy, error, destructive = true }: ConfirmDialogProps) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      actions={
        <>
          <Button onClick={onCancel} data-autofocus={destructive ? '' : undefined} disabled={busy}>
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
