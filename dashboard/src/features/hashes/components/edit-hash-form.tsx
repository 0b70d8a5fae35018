import { type FormEvent, useEffect, useId, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import type { FlagInfo, HashDetail, HashItem } from '../../../lib/api-types';
import { flagLabel } from '../../flags/api/flags-api';
import { patchHash } from '../api/hashes-api';
import { type FieldErrors, validatePatch } from '../lib/hash-validation';

/** Sets the value (not added: set) and/or the flag of one hash. */
export function EditHashForm({ hash, flags, onSaved }: { hash: HashDetail; flags: FlagInfo[]; onSaved: (item: HashItem) => void }) {
  const [flag, setFlag] = useState(String(hash.flag));
  const [value, setValue] = useState(String(hash.value));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const listId = useId();

  useEffect(() => {
    setFlag(String(hash.flag));
    setValue(String(hash.value));
  }, [hash.flag, hash.value]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    const checked = validatePatch(hash, { flag, value });
    setErrors(checked.errors);
    if (!checked.patch) return;
    setBusy(true);
    try {
      onSaved(await patchHash(hash.digest, checked.patch));
    } catch (err) {
      const field = err instanceof ApiError ? err.fieldErrors.find((f) => f.field === 'flag' || f.field === 'value') : undefined;
      if (field) setErrors({ [field.field]: field.message });
      else setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="form-grid">
      <Field label="Flag" error={errors.flag}>
        <input name="flag" type="number" min={0} max={255} list={listId} value={flag} onChange={(e) => setFlag(e.target.value)} />
      </Field>
      <datalist id={listId}>
        {flags.map((f) => (
          <option key={f.flag} value={f.flag} label={flagLabel(f.flag, f.name)} />
        ))}
      </datalist>
      <Field label="Value" error={errors.value}>
        <input name="value" type="number" value={value} onChange={(e) => setValue(e.target.value)} />
      </Field>
      {errors.body && (
        <p className="field-error span-2" role="status">
          {errors.body}
        </p>
      )}
      <div className="span-2">
        <Button type="submit" variant="primary" busy={busy}>
          Save changes
        </Button>
      </div>
      <ErrorMessage error={error} context="Could not save" />
    </form>
  );
}
