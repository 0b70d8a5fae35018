import { useEffect, useState } from 'react';
import { Field } from '../../../components/ui/field';
import type { FlagInfo } from '../../../lib/api-types';
import { formatInt } from '../../../lib/format';
import { flagLabel } from '../../flags/api/flags-api';
import { normalizePrefix, prefixError } from '../lib/hash-validation';

export const PAGE_SIZES = [25, 50, 100, 250];
const SEARCH_DELAY_MS = 300;

export interface HashFiltersProps {
  flags: FlagInfo[];
  flag: number | null;
  prefix: string;
  limit: number;
  onFlag: (flag: number | null) => void;
  onPrefix: (prefix: string) => void;
  onLimit: (limit: number) => void;
}

/** Flag filter and digest-prefix search; the search applies as you type (debounced), or on Enter. */
export function HashFilters({ flags, flag, prefix, limit, onFlag, onPrefix, onLimit }: HashFiltersProps) {
  const [text, setText] = useState(prefix);
  const normalized = normalizePrefix(text);
  const error = prefixError(normalized);

  useEffect(() => setText(prefix), [prefix]);
  useEffect(() => {
    if (error || normalized === prefix) return;
    const timer = setTimeout(() => onPrefix(normalized), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [normalized, error, prefix, onPrefix]);

  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter hashes"
      onSubmit={(e) => {
        e.preventDefault();
        if (!error) onPrefix(normalized);
      }}
    >
      <Field label="Flag">
        <select value={flag === null ? '' : String(flag)} onChange={(e) => onFlag(e.target.value === '' ? null : Number(e.target.value))}>
          <option value="">All flags</option>
          {flags.map((f) => (
            <option key={f.flag} value={f.flag}>
              {flagLabel(f.flag, f.name)} — {formatInt(f.count)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Digest prefix" error={error} className="field-grow">
        <input type="search" inputMode="text" autoComplete="off" spellCheck={false} placeholder="e.g. 3fa9" value={text} onChange={(e) => setText(e.target.value)} maxLength={140} />
      </Field>
      <Field label="Per page">
        <select value={limit} onChange={(e) => onLimit(Number(e.target.value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </Field>
    </form>
  );
}
