import { useState } from 'react';
import { Button } from '../../../components/ui/button';
import { Dialog } from '../../../components/ui/dialog';
import type { KeyCreated } from '../../../lib/api-types';

/** A value to copy: shown in full (selectable), with a button that puts it on the clipboard and says so. */
function CopyField({ label, value, multiline = false }: { label: string; value: string; multiline?: boolean }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, a denied permission): the text is selectable.
      setCopied('failed');
    }
  };
  return (
    <div className="copy-field">
      <div className="copy-field-head">
        <span className="copy-field-label">{label}</span>
        <Button size="small" onClick={() => void copy()} aria-label={`Copy ${label.toLowerCase()}`}>
          Copy
        </Button>
        <span role="status" className="muted small">
          {copied === 'yes' ? 'Copied.' : copied === 'failed' ? 'Copy failed: select the text and copy it by hand.' : ''}
        </span>
      </div>
      {multiline ? <pre className="copy-field-value mono" aria-label={label}>{value}</pre> : <code className="copy-field-value mono" aria-label={label}>{value}</code>}
    </div>
  );
}

/**
 * The answer to creating a key, once: the private key (only for a generated key: the server never shows it again),
 * the public key the scanners set as `encryption_key`, and a rule to paste into rspamd.
 */
export function KeySecretDialog({ created, onClose }: { created: KeyCreated | null; onClose: () => void }) {
  return (
    <Dialog
      open={created !== null}
      title={`Key ${created?.key.name ?? ''} created`}
      onClose={onClose}
      actions={
        <Button variant="primary" onClick={onClose} data-autofocus="">
          I have saved it
        </Button>
      }
    >
      {created && (
        <>
          {created.privkey && (
            <>
              <div className="alert alert-warn" role="alert">
                <p>
                  <strong>This is the only time the private key is shown.</strong> fuzzyd keeps it to decrypt requests but no page or API call
                  returns it again. Save it now if another storage must serve this key too; scanners do not need it.
                </p>
              </div>
              <CopyField label="Private key" value={created.privkey} />
            </>
          )}
          <CopyField label="Public key (encryption_key)" value={created.key.pubkey} />
          <CopyField label="rspamd rule" value={created.rspamdRule} multiline />
        </>
      )}
    </Dialog>
  );
}
