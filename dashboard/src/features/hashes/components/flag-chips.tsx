import type { HashFlag } from '../../../lib/api-types';
import { formatInt } from '../../../lib/format';
import { flagLabel } from '../../flags/api/flags-api';

export const PRIMARY_HINT = 'Primary flag: the one rspamd 3.x clients see (the highest value after a 4.x write)';

/** Every (flag, value) slot of a hash as chips, primary first and marked, so multi-flag hashes read at a glance. */
export function FlagChips({ flags }: { flags: HashFlag[] }) {
  return (
    <ul className="flag-chips">
      {flags.map((f, i) => (
        <li key={f.flag} className={i === 0 ? 'flag-chip flag-chip-primary' : 'flag-chip'} title={i === 0 && flags.length > 1 ? PRIMARY_HINT : undefined}>
          <span className="flag-chip-label">{flagLabel(f.flag, f.flagName)}</span>
          <span className="visually-hidden">, value </span>
          <span className="flag-chip-value">{formatInt(f.value)}</span>
        </li>
      ))}
    </ul>
  );
}
