import { type FormEvent, useId, useRef, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import type { FlagInfo, HashDetail, HashItem } from '../../../lib/api-types';
import { flagLabel } from '../../flags/api/flags-api';
import { patchHash } from '../api/hashes-api';
import { type FlagListErrors, type FlagRowValues, MAX_FLAGS, validateFlagList } from '../lib/hash-validation';

interface Row extends FlagRowValues {
  /** Stable identity while rows are removed above it (keeps focus and typed text with their row). */
  key: number;
}

const NO_ERRORS: FlagListErrors = { rows: [] };

/** Changes exactly when the stored slots do. */
export function flagsKey(hash: HashDetail): string {
  return hash.flags.map((f) => `${f.flag}:${f.value}`).join(',');
}
/** `flags[2].value` → row 2, field `value`: where the API blamed a slot. */
const SLOT_FIELD = /^flags\[(\d+)\]\.(flag|value)$/;

/**
 * Edits every (flag, value) slot of a hash and saves them with one `PATCH {flags}`: values are set, not added, and
 * the first slot becomes the primary one. Reordering is left out on purpose: removing and adding a slot does it.
 * The rows start from `hash.flags`; give the form a `key` from the stored flags (flagsKey) so a refetch that changed
 * them starts it afresh, without an effect that could overwrite what is being typed.
 */
export function EditFlagsForm({ hash, flags, onSaved }: { hash: HashDetail; flags: FlagInfo[]; onSaved: (item: HashItem) => void }) {
  const nextKey = useRef(0);
  const [rows, setRows] = useState<Row[]>(() => hash.flags.map((f) => ({ key: nextKey.current++, flag: String(f.flag), value: String(f.value) })));
  const [errors, setErrors] = useState<FlagListErrors>(NO_ERRORS);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const listId = useId();

  const update = (key: number, field: keyof FlagRowValues, text: string): void => {
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, [field]: text } : r)));
    setErrors(NO_ERRORS);
  };
  const remove = (key: number): void => {
    setRows((rs) => rs.filter((r) => r.key !== key));
    setErrors(NO_ERRORS);
  };
  const add = (): void => {
    setRows((rs) => [...rs, { key: nextKey.current++, flag: '', value: '1' }]);
    setErrors(NO_ERRORS);
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    const checked = validateFlagList(hash.flags, rows);
    setErrors(checked.errors);
    if (!checked.flags) return;
    setBusy(true);
    try {
      onSaved(await patchHash(hash.digest, { flags: checked.flags }));
    } catch (err) {
      const blamed = err instanceof ApiError ? serverErrors(err, rows.length) : null;
      if (blamed) setErrors(blamed);
      else setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Flags of this hash">
      <ol className="flag-slots">
        {rows.map((row, i) => (
          <li key={row.key} className="flag-slot">
            <span className="flag-slot-role">{i === 0 ? 'Primary' : `Slot ${i + 1}`}</span>
            <Field label={`Flag ${i + 1}`} error={errors.rows[i]?.flag}>
              <input name={`flag-${i}`} type="number" min={0} max={255} list={listId} value={row.flag} onChange={(e) => update(row.key, 'flag', e.target.value)} />
            </Field>
            <Field label={`Value ${i + 1}`} error={errors.rows[i]?.value}>
              <input name={`value-${i}`} type="number" value={row.value} onChange={(e) => update(row.key, 'value', e.target.value)} />
            </Field>
            <Button
              size="small"
              variant="ghost"
              className="flag-slot-remove"
              disabled={rows.length === 1}
              title={rows.length === 1 ? 'A hash keeps at least one flag; delete the hash to remove it' : undefined}
              onClick={() => remove(row.key)}
              aria-label={`Remove slot ${i + 1}`}
            >
              Remove
            </Button>
          </li>
        ))}
      </ol>
      <datalist id={listId}>
        {flags.map((f) => (
          <option key={f.flag} value={f.flag} label={flagLabel(f.flag, f.name)} />
        ))}
      </datalist>
      <p className="field-hint">
        The first slot is the primary flag, the only one rspamd 3.x clients see. Values are set as given, not added. At most {MAX_FLAGS} flags
        (rspamd ≥ 4.0).
      </p>
      {errors.list && (
        <p className="field-error" role="status">
          {errors.list}
        </p>
      )}
      <div className="inline-form">
        <Button onClick={add} disabled={rows.length >= MAX_FLAGS}>
          Add a flag
        </Button>
        <Button type="submit" variant="primary" busy={busy}>
          Save flags
        </Button>
      </div>
      <ErrorMessage error={error} context="Could not save" />
    </form>
  );
}

/** The API's field errors placed on the rows (or the list) they name, or null when it blamed nothing of the form. */
function serverErrors(err: ApiError, rowCount: number): FlagListErrors | null {
  const errors: FlagListErrors = { rows: Array.from({ length: rowCount }, () => ({})) };
  let placed = false;
  for (const { field, message } of err.fieldErrors) {
    const slot = SLOT_FIELD.exec(field);
    if (slot && Number(slot[1]) < rowCount) {
      errors.rows[Number(slot[1])][slot[2] as 'flag' | 'value'] = message;
      placed = true;
    } else if (field === 'flags' || field.startsWith('flags[')) {
      errors.list = message;
      placed = true;
    }
  }
  return placed ? errors : null;
}
