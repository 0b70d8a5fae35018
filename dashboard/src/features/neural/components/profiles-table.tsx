import { Badge } from '../../../components/ui/badge';
import type { NeuralProfileItem } from '../../../lib/api-types';
import { formatBytes, formatDuration } from '../../../lib/format';

/** The ANN versions of a set, highest score first: the current one and those kept (max_profiles). */
export function ProfilesTable({ profiles, caption }: { profiles: NeuralProfileItem[]; caption: string }) {
  if (profiles.length === 0) {
    return <p className="muted">No profile yet: rspamd creates version 0 at its first scan for these settings.</p>;
  }
  return (
    <div className="table-scroll">
      <table className="table table-compact">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Version
            </th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Symbols
            </th>
            <th scope="col" className="num">
              ANN
            </th>
            <th scope="col" className="hide-narrow">
              PCA
            </th>
            <th scope="col" className="hide-narrow">
              Expires in
            </th>
            <th scope="col" className="hide-narrow">
              Redis key
            </th>
          </tr>
        </thead>
        <tbody>
          {profiles.map((p) => (
            <tr key={p.redisKey} className={p.current ? 'row-current' : undefined}>
              <th scope="row" className="num">
                {p.version}
              </th>
              <td>{p.current ? <Badge tone="ok">current</Badge> : <Badge>kept</Badge>}</td>
              <td className="num">{p.symbols}</td>
              <td className="num nowrap">{p.hasAnn ? formatBytes(p.annBytes) : <span className="muted">none</span>}</td>
              <td className="hide-narrow">{p.pca ? 'yes' : 'no'}</td>
              <td className="hide-narrow nowrap">{p.ttl === null ? <span className="muted">no expiry</span> : formatDuration(p.ttl)}</td>
              <td className="hide-narrow mono small break">{p.redisKey}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
