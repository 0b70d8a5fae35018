import { type FormEvent, useEffect, useId, useState } from 'react';
import { FormDialogActions } from '../../../components/ui/form-dialog-actions';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import { FLAG_MAX, FlagUpdate, schemaProblem } from '../../../lib/api-schemas';
import type { FlagInfo } from '../../../lib/api-types';
import { updateFlag } from '../api/flags-api';

export interface FlagFormValues {
  flag: string;
  name: string;
  description: string;
}

/** The flag number here; name and description by the API's FlagUpdate schema (its bounds, its characters). */
export function validateFlagForm(v: FlagFormValues): Partial<Record<keyof FlagFormValues, string>> {
  const errors: Partial<Record<keyof FlagFormValues, string>> = {};
  if (!/^\d{1,3}$/.test(v.flag.trim()) || Number(v.flag) > FLAG_MAX) errors.flag = `A flag is a whole number from 0 to ${FLAG_MAX}`;
  if (v.name.trim() === '') errors.name = 'Enter a name';
  const problem = schemaProblem(FlagUpdate, { name: v.name.trim(), description: v.description.trim() });
  if (problem && !errors.name) errors[problem.field as 'name' | 'description'] = sentence(problem.message);
  return errors;
}

/** `must be at most 64 characters (got 65)` → `Must be at most 64 characters (got 65)`. */
const sentence = (message: string): string => message.charAt(0).toUpperCase() + message.slice(1);

/** Names a flag (new) or renames it (`editing`); the hashes keep their flag number either way. */
export function FlagFormDialog({ open, editing, onClose, onSaved }: { open: boolean; editing: FlagInfo | null; onClose: () => void; onSaved: (flag: FlagInfo) => void }) {
  const [values, setValues] = useState<FlagFormValues>({ flag: '', name: '', description: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof FlagFormValues, string>>>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();

  useEffect(() => {
    if (!open) return;
    setValues(editing ? { flag: String(editing.flag), name: editing.name ?? '', description: editing.description ?? '' } : { flag: '', name: '', description: '' });
    setErrors({});
    setError(null);
  }, [open, editing]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const found = validateFlagForm(values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      onSaved(await updateFlag(Number(values.flag), { name: values.name.trim(), description: values.description.trim() || null }));
    } catch (err) {
      const field = err instanceof ApiError ? err.fieldErrors.find((f) => f.field in values) : undefined;
      if (field) setErrors({ [field.field]: field.message });
      else setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const set = (k: keyof FlagFormValues) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [k]: e.target.value }));
    setErrors((errs) => ({ ...errs, [k]: undefined }));
  };
  return (
    <Dialog
      open={open}
      title={editing ? `Edit flag ${editing.flag}` : 'Name a flag'}
      onClose={onClose}
      actions={<FormDialogActions formId={formId} submitLabel="Save" busy={busy} onCancel={onClose} />}
    >
      <form id={formId} onSubmit={submit} noValidate className="form-grid">
        <Field label="Flag number" error={errors.flag}>
          <input name="flag" type="number" min={0} max={255} value={values.flag} onChange={set('flag')} readOnly={editing !== null} data-autofocus={editing ? undefined : ''} />
        </Field>
        <Field label="Name" error={errors.name} hint="As in rspamd's fuzzy_map, e.g. FUZZY_DENIED">
          <input name="name" value={values.name} onChange={set('name')} maxLength={80} data-autofocus={editing ? '' : undefined} />
        </Field>
        <Field label="Description" error={errors.description} className="span-2">
          <textarea name="description" rows={2} value={values.description} onChange={set('description')} />
        </Field>
      </form>
      <ErrorMessage error={error} context="Could not save the flag" />
    </Dialog>
  );
}
