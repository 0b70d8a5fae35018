import { type FormEvent, useState } from 'react';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { QueryStatus } from '../../../components/ui/query-status';
import { ApiError } from '../../../lib/api-client';
import type { AccessSettingItem } from '../../../lib/api-types';
import { useAction, useQuery } from '../../../lib/use-query';
import { displayValue, fetchAccessSettings, resetAccessSetting, setAccessSetting, textFromValue, valueFromText } from '../api/access-settings-api';

const COLUMNS: DataTableColumn[] = [
  { header: 'Setting' },
  { header: 'Value' },
  { header: 'Source' },
  { header: 'Actions', hiddenHeader: true },
];

const SOURCE_TONES = { rest: 'info', env: 'neutral', file: 'neutral', default: 'neutral' } as const;
const SOURCE_LABELS = { rest: 'API', env: 'env', file: 'file', default: 'default' } as const;

const HINTS: Record<AccessSettingItem['kind'], string> = {
  'optional-number': 'A number ≥ 0, or off',
  integer: 'A whole number',
  duration: "Seconds, or rspamd's time syntax (30s, 1h)",
  'optional-duration': "Seconds, rspamd's time syntax (30s, 1h), or off",
  boolean: 'true or false',
  networks: 'Addresses or CIDRs, comma-separated; empty for none',
  'flag-ids': 'Flag numbers, comma-separated; empty for none',
  'key-ids': 'Key ids (103 characters, as rspamadm keypair prints), comma-separated; empty for none',
};

function shownValue(s: AccessSettingItem): string {
  if (s.kind === 'key-ids' && Array.isArray(s.value) && s.value.length > 0) return `${s.value.length} key id${s.value.length === 1 ? '' : 's'}`;
  return displayValue(s.kind, s.value);
}

/**
 * The access settings in force (GET /access/settings), each with its source, an edit form whose errors come inline
 * from the API's 400s, and a reset that returns a setting to its file/env value. Changes apply to the next request
 * on every UDP thread, and survive restarts.
 */
export function AccessSettingsCard() {
  const settings = useQuery('access-settings', (signal) => fetchAccessSettings(signal));
  const reset = useAction((name: string) => resetAccessSetting(name));
  const [editing, setEditing] = useState<AccessSettingItem | null>(null);
  const [text, setText] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const edit = (s: AccessSettingItem): void => {
    setEditing(s);
    setText(textFromValue(s.kind, s.value));
    setFieldError(null);
    setFormError(null);
    setNotice(null);
  };

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!editing) return;
    setSaving(true);
    setFieldError(null);
    setFormError(null);
    try {
      await setAccessSetting(editing.name, valueFromText(editing.kind, text));
      setNotice(`Set ${editing.name}; it applies to the next request.`);
      setEditing(null);
      settings.refetch();
    } catch (err) {
      // The server names the setting, or an item of it (forbidden_ids[1]).
      const field = err instanceof ApiError ? err.fieldErrors.find((f) => f.field === editing.name || f.field.startsWith(`${editing.name}[`)) : undefined;
      if (field) setFieldError(field.message);
      else setFormError(err as Error);
    } finally {
      setSaving(false);
    }
  };

  const headingId = 'access-settings-heading';
  return (
    <Card title={<span id={headingId}>Access settings</span>}>
      <p className="muted">
        Rate limits, delay, forbidden and weak flags, and key-based writers. A value set here overrides the configuration file and
        FUZZYD_* variables, applies to the next request on every thread and survives restarts; Reset returns it to the configured value.
      </p>
      <QueryStatus query={settings} context="Could not load the access settings" />
      {notice && (
        <p role="status" className="alert alert-success">
          {notice}
        </p>
      )}
      {reset.error && <ErrorMessage error={reset.error} context="Could not reset the setting" />}
      {settings.data && (
        <DataTable columns={COLUMNS} rows={settings.data} labelledBy={headingId} emptyRow="No settings.">
          {(s) => (
            <tr key={s.name}>
              <th scope="row">
                <span className="mono">{s.name}</span>
                <div className="muted small">{s.description}</div>
              </th>
              <td className="mono" title={Array.isArray(s.value) ? s.value.join('\n') : undefined}>
                {shownValue(s)}
              </td>
              <td>
                <Badge tone={SOURCE_TONES[s.source]} title={s.source === 'rest' ? `Set over the API; configured: ${displayValue(s.kind, s.configured.value)} (${s.configured.source})` : `${s.env} / file key ${s.name}`}>
                  {SOURCE_LABELS[s.source]}
                </Badge>
              </td>
              <td className="actions nowrap">
                <Button size="small" variant="ghost" onClick={() => edit(s)} aria-label={`Edit ${s.name}`}>
                  Edit
                </Button>
                {s.source === 'rest' && (
                  <Button
                    size="small"
                    variant="ghost"
                    disabled={reset.pending}
                    aria-label={`Reset ${s.name}`}
                    onClick={async () => {
                      setNotice(null);
                      if ((await reset.run(s.name)).ok) {
                        setNotice(`${s.name} is back to its ${s.configured.source} value.`);
                        settings.refetch();
                      }
                    }}
                  >
                    Reset
                  </Button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
      )}
      {editing && (
        <form className="inline-form" onSubmit={save} noValidate aria-label={`Edit ${editing.name}`}>
          <Field label={editing.name} error={fieldError} hint={HINTS[editing.kind]} className="field-grow">
            {editing.kind === 'boolean' ? (
              <select name="value" value={text} onChange={(e) => setText(e.target.value)}>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ) : (
              <input
                name="value"
                className="mono"
                autoComplete="off"
                spellCheck={false}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  setFieldError(null);
                }}
              />
            )}
          </Field>
          <Button type="submit" variant="primary" busy={saving} className="inline-form-submit">
            Save
          </Button>
          <Button className="inline-form-submit" onClick={() => setEditing(null)}>
            Cancel
          </Button>
        </form>
      )}
      <ErrorMessage error={formError} context="Could not save the setting" />
    </Card>
  );
}
