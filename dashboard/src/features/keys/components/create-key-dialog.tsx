import { type FormEvent, useEffect, useId, useState } from 'react';
import { FormDialogActions } from '../../../components/ui/form-dialog-actions';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import { KeyCreate, schemaProblem } from '../../../lib/api-schemas';
import type { KeyCreated, KeyOperation } from '../../../lib/api-types';
import { createKey } from '../api/keys-api';

export interface KeyFormValues {
  name: string;
  read: boolean;
  write: boolean;
  delete: boolean;
  /** YYYY-MM-DD from the date field, or empty. */
  expire: string;
  /** Flag numbers separated by commas or spaces. */
  forbiddenIds: string;
  ratelimit: string;
}

type FormErrors = Partial<Record<'name' | 'allowedOps' | 'expire' | 'forbiddenIds' | 'ratelimit', string>>;

const EMPTY: KeyFormValues = { name: '', read: true, write: false, delete: false, expire: '', forbiddenIds: '', ratelimit: '' };

const sentence = (message: string): string => message.charAt(0).toUpperCase() + message.slice(1);

/** The form as the API's KeyCreate body, or what is wrong with it (the schema's own message, per field). */
export function keyCreateBody(v: KeyFormValues): { body: KeyCreate; errors: FormErrors } {
  const errors: FormErrors = {};
  const ids = v.forbiddenIds.trim() === '' ? [] : v.forbiddenIds.split(/[\s,]+/).filter(Boolean);
  if (ids.some((id) => !/^\d{1,10}$/.test(id))) errors.forbiddenIds = 'Flag numbers separated by commas, e.g. 11, 12';
  const allowedOps = (['read', 'write', 'delete'] as KeyOperation[]).filter((op) => v[op]);
  const body: KeyCreate = {
    name: v.name.trim(),
    allowedOps,
    ...(v.expire ? { expire: v.expire } : {}),
    ...(ids.length > 0 && !errors.forbiddenIds ? { forbiddenIds: ids.map(Number) } : {}),
    ...(v.ratelimit.trim() ? { ratelimit: v.ratelimit.trim() } : {}),
  };
  if (body.name === '') errors.name = 'Enter a name';
  const problem = schemaProblem(KeyCreate, body);
  if (problem) {
    const field = problem.field.replace(/\[\d+\]$/, '') as keyof FormErrors;
    if (!errors[field]) errors[field] = sentence(problem.message);
  }
  return { body, errors };
}

/** Makes a key over the API; the answer (with the private key) goes to `onCreated`, which shows it once. */
export function CreateKeyDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (created: KeyCreated) => void }) {
  const [values, setValues] = useState<KeyFormValues>(EMPTY);
  const [errors, setErrors] = useState<FormErrors>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();

  useEffect(() => {
    if (!open) return;
    setValues(EMPTY);
    setErrors({});
    setError(null);
  }, [open]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const { body, errors: found } = keyCreateBody(values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      onCreated(await createKey(body));
    } catch (err) {
      const field = err instanceof ApiError ? err.fieldErrors.find((f) => f.field.replace(/\[\d+\]$/, '') in EMPTY || f.field === 'allowedOps') : undefined;
      if (field) setErrors({ [field.field.replace(/\[\d+\]$/, '')]: sentence(field.message) });
      else setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const set = (k: 'name' | 'expire' | 'forbiddenIds' | 'ratelimit') => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [k]: e.target.value }));
    setErrors((errs) => ({ ...errs, [k]: undefined }));
  };
  const toggle = (k: KeyOperation) => (e: { target: { checked: boolean } }) => setValues((v) => ({ ...v, [k]: e.target.checked }));
  return (
    <Dialog
      open={open}
      title="Add a key"
      onClose={onClose}
      actions={<FormDialogActions formId={formId} submitLabel="Create key" busy={busy} onCancel={onClose} />}
    >
      <form id={formId} onSubmit={submit} noValidate className="form-grid">
        <Field label="Name" error={errors.name} hint="For logs and this list, e.g. the customer or the scanner group" className="span-2">
          <input name="name" value={values.name} onChange={set('name')} maxLength={64} autoComplete="off" data-autofocus="" />
        </Field>
        <fieldset className="key-rights span-2" aria-describedby={errors.allowedOps ? `${formId}-ops` : undefined}>
          <legend>Its clients may</legend>
          {(['read', 'write', 'delete'] as KeyOperation[]).map((op) => (
            <label key={op} className="checkbox">
              <input type="checkbox" name={op} checked={values[op]} onChange={toggle(op)} /> {op === 'read' ? 'check (read)' : op}
            </label>
          ))}
          {errors.allowedOps && (
            <p id={`${formId}-ops`} className="field-error">
              {errors.allowedOps}
            </p>
          )}
          <p className="field-hint">Writes by key also need allow_update to be empty (FUZZYD_ALLOW_UPDATE=).</p>
        </fieldset>
        <Field label="Expires" error={errors.expire} hint="From the start of that day its checks are refused; empty: never">
          <input name="expire" type="date" value={values.expire} onChange={set('expire')} />
        </Field>
        <Field label="Rate limit" error={errors.ratelimit} hint='rspamd&apos;s "N / T", e.g. 1000 / 1h; empty: none'>
          <input name="ratelimit" value={values.ratelimit} onChange={set('ratelimit')} placeholder="1000 / 1h" autoComplete="off" />
        </Field>
        <Field label="Forbidden flags" error={errors.forbiddenIds} hint="Never returned to its clients; empty: the server's list" className="span-2">
          <input name="forbiddenIds" value={values.forbiddenIds} onChange={set('forbiddenIds')} placeholder="11, 12" autoComplete="off" />
        </Field>
      </form>
      <p className="muted small">fuzzyd generates the keypair; its private half is shown once, right after.</p>
      <ErrorMessage error={error} context="Could not create the key" />
    </Dialog>
  );
}
