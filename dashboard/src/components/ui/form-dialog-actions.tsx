import type { ReactNode } from 'react';
import { Button } from './button';

export interface FormDialogActionsProps {
  /** The `id` of the dialog's form: the submit button sits in the dialog's footer, outside the form element. */
  formId: string;
  submitLabel: ReactNode;
  busy: boolean;
  onCancel: () => void;
}

/** A form dialog's footer: Cancel (off while the form is being sent) and the form's submit button. */
export function FormDialogActions({ formId, submitLabel, busy, onCancel }: FormDialogActionsProps) {
  return (
    <>
      <Button onClick={onCancel} disabled={busy}>
        Cancel
      </Button>
      <Button type="submit" form={formId} variant="primary" busy={busy}>
        {submitLabel}
      </Button>
    </>
  );
}
