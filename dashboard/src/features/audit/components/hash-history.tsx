import type { AuditEntry } from '../../../lib/api-types';

const VIA: Record<AuditEntry['via'], string> = { udp: 'UDP', tcp: 'TCP', api: 'API' };

/** What happened to one hash, newest first: who (token, key or source address), how, which flag and weight. */
export function HashHistory({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p className="muted">No recorded changes (older than the audit retention, or written before fuzzyd kept an audit trail).</p>;
  return (
    <table className="table history-table">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Via</th>
          <th scope="col">Change</th>
          <th scope="col">Flag</th>
          <th scope="col">Weight</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => (
          <tr key={`${e.time}-${i}`}>
            <td>
              <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time>
            </td>
            <td className="mono">
              {e.actor}
              {e.source && e.source !== e.actor ? <span className="muted"> from {e.source}</span> : null}
            </td>
            <td>{VIA[e.via]}</td>
            <td>
              {e.action}
              {e.outcome ? ` (${e.outcome})` : ''}
              {e.detail ? <span className="muted"> {e.detail}</span> : null}
            </td>
            <td>{e.flag ?? '—'}</td>
            <td>{e.value ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
