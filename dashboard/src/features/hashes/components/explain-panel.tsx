import { Link } from 'react-router';
import type { HashExplain } from '../../../lib/api-types';
import { shortDigest } from '../../../lib/format';
import { FlagChips } from './flag-chips';

/** Which stored hashes own the hash's 32 shingle positions now: its near-duplicate cluster, most positions first. */
export function ExplainPanel({ explain }: { explain: HashExplain }) {
  if (explain.positions.length === 0) return <p className="muted">Written without shingles: it has no near-duplicates by shingles.</p>;
  return (
    <>
      <table className="table explain-table">
        <thead>
          <tr>
            <th scope="col">Hash</th>
            <th scope="col">Positions owned</th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {explain.owners.map((o) => (
            <tr key={o.hash.digest}>
              <td className="mono">
                {o.self ? (
                  <span>{shortDigest(o.hash.digest)} (this hash)</span>
                ) : (
                  <Link to={`/hashes/${o.hash.digest}`}>{shortDigest(o.hash.digest)}</Link>
                )}
              </td>
              <td>{o.positions} / 32</td>
              <td>
                <FlagChips flags={o.hash.flags} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(explain.unowned > 0 || explain.unknown > 0) && (
        <p className="field-hint">
          {explain.unowned > 0 && `${explain.unowned} positions are owned by no stored hash (their owner was deleted or expired). `}
          {explain.unknown > 0 && `${explain.unknown} positions are unknown (a hash rspamd wrote keeps only the positions it still owns).`}
        </p>
      )}
    </>
  );
}
