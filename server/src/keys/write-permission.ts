import { Command } from '../../../shared/protocol/constants.js';
import type { ServerKey } from './server-key.js';

/** Everything rspamd's `rspamd_fuzzy_check_write` looks at (docs/spec/access-controls.md §1.2). */
export interface WriteRequest {
  cmd: number;
  /** The server's `read_only`. */
  readOnly: boolean;
  /** `allow_update` holds at least one network: then it alone decides. */
  allowUpdateConfigured: boolean;
  /** The source address is in `allow_update`. */
  sourceAllowed: boolean;
  /** `allow_update_keys`: ids (zbase32 BLAKE2b-512 of the server public key) whose clients may update. */
  allowUpdateKeys: ReadonlySet<string>;
  /** The key the request was encrypted to; null for plaintext. */
  key: ServerKey | null;
}

export type WriteDecision =
  | { allowed: true; by: 'allow_update' | 'allow_update_keys' | 'key_rights' }
  | { allowed: false; reason: 'read_only' | 'key_disabled' | 'allow_update' | 'no_key' | 'key_rights' };

/**
 * rspamd ≥ 3.11.1's order, each step final when it decides:
 * 1. `read_only` refuses everything;
 *    (fuzzyd) a request encrypted to a disabled key is refused, whatever its source: the key may be in wrong hands;
 * 2. a non-empty `allow_update` allows its sources and refuses every other, keys unasked;
 * 3. a request encrypted to a key listed in `allow_update_keys` may do any update;
 * 4. the key's own rights: WRITE needs `write`, DEL needs `delete`; no other command passes here;
 * 5. everything else is refused. A plaintext request never reaches a key test (rspamd 3.6–3.13 crash there).
 */
export function decideWrite(r: WriteRequest): WriteDecision {
  if (r.readOnly) return { allowed: false, reason: 'read_only' };
  if (r.key?.disabled) return { allowed: false, reason: 'key_disabled' };
  if (r.allowUpdateConfigured) return r.sourceAllowed ? { allowed: true, by: 'allow_update' } : { allowed: false, reason: 'allow_update' };
  if (!r.key) return { allowed: false, reason: 'no_key' };
  if (r.allowUpdateKeys.has(r.key.id)) return { allowed: true, by: 'allow_update_keys' };
  if ((r.cmd === Command.Write && r.key.rights.write) || (r.cmd === Command.Del && r.key.rights.delete)) {
    return { allowed: true, by: 'key_rights' };
  }
  return { allowed: false, reason: 'key_rights' };
}

/** Each refusal as the log tells it. */
export const WRITE_REFUSALS: Readonly<Record<Extract<WriteDecision, { allowed: false }>['reason'], string>> = {
  read_only: 'read_only is set',
  key_disabled: 'the key is disabled',
  allow_update: 'source not in allow_update',
  no_key: 'plaintext, and allow_update is empty',
  key_rights: 'the key is not in allow_update_keys and lacks the right',
};
