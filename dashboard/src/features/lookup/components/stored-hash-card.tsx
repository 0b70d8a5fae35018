import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '../../../components/ui/button';
import { ErrorMessage } from '../../../components/ui/error-message';
import type { FlagInfo, LookupHash } from '../../../lib/api-types';
import { formatDuration, shortDigest } from '../../../lib/format';
import { useAction } from '../../../lib/use-query';
import { HashHistory } from '../../audit/components/hash-history';
import { flagLabel } from '../../flags/api/flags-api';
import { patchHash } from '../../hashes/api/hashes-api';
import { DeleteHashDialog } from '../../hashes/components/delete-hash-dialog';
import { FlagChips } from '../../hashes/components/flag-chips';

/** The whitelist flag: the one named so, else rspamd's stock FUZZY_WHITE flag 3. */
function whitelistFlag(flags: FlagInfo[]): number {
  return flags.find((f) => f.name?.toLowerCase() === 'whitelist')?.flag ?? 3;
}

/**
 * A stored hash that hit the message, with what an admin needs to decide (flags, weight, age, who wrote it) and the
 * three ways out: delete it, give it another flag, or whitelist it.
 */
export function StoredHashCard({ match, title, flags, onChanged }: { match: LookupHash; title: string; flags: FlagInfo[]; onChanged: (what: string) => void }) {
  const { hash } = match;
  const [confirming, setConfirming] = useState(false);
  const [newFlag, setNewFlag] = useState(String(hash.flag));
  const reflag = useAction((flag: number) => patchHash(hash.digest, { flag }));
  const white = whitelistFlag(flags);
  const whitelist = useAction(() => patchHash(hash.digest, { flags: [{ flag: white, value: hash.value }] }));
  const label = shortDigest(hash.digest);
  return (
    <div className="lookup-hash" data-digest={hash.digest}>
      <h4>
        {title}: <Link to={`/hashes/${hash.digest}`} className="mono">{label}</Link>
      </h4>
      <dl className="facts">
        <dt>Flags</dt>
        <dd>
          <FlagChips flags={hash.flags} />
        </dd>
        <dt>Weight</dt>
        <dd>{hash.value}</dd>
        <dt>Age</dt>
        <dd>{formatDuration(match.ageSeconds)} since its last write</dd>
      </dl>
      <div className="lookup-actions">
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Delete hash
        </Button>
        <label>
          <span className="visually-hidden">New flag for {label}</span>
          <select value={newFlag} onChange={(e) => setNewFlag(e.target.value)} aria-label={`New flag for ${label}`}>
            {[...new Set([hash.flag, ...flags.map((f) => f.flag)])].map((f) => (
              <option key={f} value={f}>
                {flagLabel(f, flags.find((x) => x.flag === f)?.name)}
              </option>
            ))}
          </select>
        </label>
        <Button
          busy={reflag.pending}
          onClick={async () => {
            if ((await reflag.run(Number(newFlag))).ok) onChanged(`${label} now has flag ${newFlag}.`);
          }}
        >
          Re-flag
        </Button>
        <Button
          busy={whitelist.pending}
          onClick={async () => {
            if ((await whitelist.run()).ok) onChanged(`${label} is whitelisted (flag ${white}).`);
          }}
        >
          Whitelist
        </Button>
      </div>
      <ErrorMessage error={reflag.error ?? whitelist.error} />
      <details>
        <summary>History ({match.history.length})</summary>
        <HashHistory entries={match.history} />
      </details>
      <DeleteHashDialog
        digest={hash.digest}
        open={confirming}
        onCancel={() => setConfirming(false)}
        onDeleted={() => {
          setConfirming(false);
          onChanged(`${label} was deleted.`);
        }}
      >
        <p>The hash and its shingles are removed from the store: messages like this one no longer hit it.</p>
      </DeleteHashDialog>
    </div>
  );
}
