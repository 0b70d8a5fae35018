import { type FormEvent, useId, useState } from 'react';
import { FormDialogActions } from '../../../components/ui/form-dialog-actions';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import type { FlagInfo, HashWriteResult } from '../../../lib/api-types';
import { flagLabel } from '../../flags/api/flags-api';
import { createHash } from '../api/hashes-api';
import { type FieldErrors, type HashFormValues, validateHashForm } from '../lib/hash-validation';

const EMPTY: HashFormValues = { digest: '', flag: '1', value: '1', shingles: '' };

export interface AddHashDialogProps {
  open: boolean;
  flags: FlagInfo[];
  onClose: () => void;
  onAdded: (result: HashWriteResult) => void;
}

/**
 * Adds a hash like an rspamd 4.x WRITE: a flag the digest already holds gets the value added, another flag takes a
 * slot of its own beside the others.
 */
export function AddHashDialog({ open, flags, onClose, onAdded }: AddHashDialogProps) {
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();
  const listId = useId();

  const set = (field: keyof HashFormValues) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }));
    // The message described the old text; it comes back on submit if still true.
    setErrors((errs) => ({ ...errs, [field]: undefined }));
  };
  const close = (): void => {
    setValues(EMPTY);
    setErrors({});
    setError(null);
    onClose();
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    const checked = validateHashForm(values);
    setErrors(checked.errors);
    if (!checked.body) return;
    setBusy(true);
    try {
      const result = await createHash(checked.body);
      setValues(EMPTY);
      onAdded(result);
    } catch (err) {
      const fieldErrors = err instanceof ApiError ? err.fieldErrors.filter((f) => f.field in EMPTY) : [];
      if (fieldErrors.length > 0) setErrors(Object.fromEntries(fieldErrors.map((f) => [f.field, f.message])));
      else setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title="Add a hash"
      onClose={close}
      className="dialog-wide"
      actions={<FormDialogActions formId={formId} submitLabel="Add hash" busy={busy} onCancel={close} />}
    >
      <form id={formId} onSubmit={submit} noValidate className="form-grid">
        <Field label="Digest" error={errors.digest} hint="128 hex characters (64 bytes)" className="span-2">
          <input name="digest" className="mono" autoComplete="off" spellCheck={false} value={values.digest} onChange={set('digest')} data-autofocus="" />
        </Field>
        <Field label="Flag" error={errors.flag}>
          <input name="flag" type="number" min={0} max={255} list={listId} value={values.flag} onChange={set('flag')} />
        </Field>
        <datalist id={listId}>
          {flags.map((f) => (
            <option key={f.flag} value={f.flag} label={flagLabel(f.flag, f.name)} />
          ))}
        </datalist>
        <Field label="Value" error={errors.value} hint="Weight; added to an existing hash's slot with the same flag">
          <input name="value" type="number" value={values.value} onChange={set('value')} />
        </Field>
        <Field label="Shingles (optional)" error={errors.shingles} hint="32 unsigned 64-bit numbers, separated by commas or spaces" className="span-2">
          <textarea name="shingles" rows={3} className="mono" spellCheck={false} value={values.shingles} onChange={set('shingles')} />
        </Field>
      </form>
      <ErrorMessage error={error} context="Could not add the hash" />
    </Dialog>
  );
}
