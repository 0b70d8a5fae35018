import type { ReactNode } from 'react';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { useAction } from '../../../lib/use-query';
import { deleteHash } from '../api/hashes-api';

/**
 * The confirmation that deletes one stored hash, wherever an admin starts it (the list, the hash page, a lookup hit):
 * the caller says what the deletion means where it stands (`children`) and what happens after it (`onDeleted`); a
 * failed deletion stays in the dialog with its error.
 */
export function DeleteHashDialog({
  digest,
  open,
  onCancel,
  onDeleted,
  children,
}: {
  digest: string;
  open: boolean;
  onCancel: () => void;
  onDeleted: () => void;
  children: ReactNode;
}) {
  const remove = useAction(() => deleteHash(digest));
  return (
    <ConfirmDialog
      open={open}
      title="Delete this hash?"
      confirmLabel="Delete"
      action={remove}
      onCancel={onCancel}
      onConfirm={async () => {
        if ((await remove.run()).ok) onDeleted();
      }}
    >
      {children}
    </ConfirmDialog>
  );
}
