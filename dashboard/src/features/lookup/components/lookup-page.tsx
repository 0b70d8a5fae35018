import { type FormEvent, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { ErrorMessage } from '../../../components/ui/error-message';
import { PageHeader } from '../../../components/ui/page-header';
import { ApiError } from '../../../lib/api-client';
import type { FlagInfo, LookupResult } from '../../../lib/api-types';
import { shortDigest } from '../../../lib/format';
import { useQuery } from '../../../lib/use-query';
import { fetchFlags } from '../../flags/api/flags-api';
import { lookupMessage } from '../api/lookup-api';
import { StoredHashCard } from './stored-hash-card';

/**
 * From a false positive to its hash: the admin pastes or uploads the message, rspamd's controller hashes it, and for
 * each part the page shows the stored hashes that hit it, with delete, re-flag and whitelist at hand.
 */
export function LookupPage() {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<LookupResult | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState<string | null>(null);
  const flags = useQuery('flags', (signal) => fetchFlags(signal));

  const run = async (): Promise<void> => {
    const message = file ?? text;
    if (!file && text.trim() === '') {
      setError(new Error('Paste a message or choose an .eml file first.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setResult(await lookupMessage(message));
    } catch (err) {
      setResult(null);
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setChanged(null);
    void run();
  };
  const onChanged = (what: string): void => {
    setChanged(what);
    void run();
  };

  const needsController = error instanceof ApiError && (error.status === 501 || error.status === 502);
  return (
    <>
      <PageHeader title="Message lookup" description="Which stored hash makes rspamd flag this message, who added it, and how to remove it" />
      <Card title="Message">
        <form onSubmit={submit} className="lookup-form">
          <label className="field">
            <span className="field-label">Paste the message (headers and body, as saved from the mail client)</span>
            <textarea rows={8} value={text} onChange={(e) => setText(e.target.value)} className="mono" aria-label="Message source" />
          </label>
          <label className="field">
            <span className="field-label">…or upload an .eml file</span>
            <input type="file" accept=".eml,message/rfc822" aria-label="EML file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          <Button type="submit" variant="primary" busy={busy}>
            Look up
          </Button>
        </form>
      </Card>
      {needsController ? (
        <p className="alert alert-info" role="status">
          {error.message}. The lookup asks an rspamd controller (rspamd 3.6 or newer, whose fuzzy_check rule points at this
          fuzzyd) for the message's fuzzy hashes: set FUZZYD_RSPAMD_CONTROLLER_URL and FUZZYD_RSPAMD_CONTROLLER_PASSWORD.
        </p>
      ) : (
        <ErrorMessage error={error} context="The lookup failed" />
      )}
      {changed && (
        <p className="alert alert-success" role="status">
          {changed}
        </p>
      )}
      {result && <LookupResults result={result} flags={flags.data ?? []} onChanged={onChanged} />}
    </>
  );
}

function LookupResults({ result, flags, onChanged }: { result: LookupResult; flags: FlagInfo[]; onChanged: (what: string) => void }) {
  return (
    <>
      {result.notes.map((n) => (
        <p key={n} className="alert alert-info">
          {n}
        </p>
      ))}
      {result.rules.map((rule) => (
        <Card key={rule.rule} title={`Rule ${rule.rule}: ${rule.parts.length} hashed part${rule.parts.length === 1 ? '' : 's'}`}>
          {rule.parts.map((part) => (
            <section key={part.index} className="lookup-part" aria-label={`Part ${part.index}`}>
              <h3>
                Part {part.index} <span className="mono muted">{shortDigest(part.digest)}</span>
              </h3>
              {!part.exact && part.shingles.length === 0 && <p className="muted lookup-miss">No stored hash hits this part.</p>}
              {part.exact && <StoredHashCard match={part.exact} title="Exact match" flags={flags} onChanged={onChanged} />}
              {part.shingles.map((m) => (
                <StoredHashCard key={m.hash.digest} match={m} title={`Shingle match, ${m.positions} of 32 positions`} flags={flags} onChanged={onChanged} />
              ))}
            </section>
          ))}
        </Card>
      ))}
      <p className="field-hint">
        Hashes computed by the rspamd controller at {result.controller} for flag {result.flag}
        {result.symbols.length > 0 && `; its scan reported ${result.symbols.map((s) => `${s.symbol} (${s.options.join(', ')})`).join(', ')}`}.
      </p>
    </>
  );
}
