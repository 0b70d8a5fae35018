import { MULTI_FLAG_REPLY_BYTES, ReplyCode } from '../../../shared/protocol/constants.js';
import type { ReplyFormat } from '../../../shared/protocol/types.js';

/**
 * Which refusal codes a client gets (docs/spec/fuzzy-protocol.md §6.4). rspamd 3.4–3.8 answer 403 to a refused write
 * and to plaintext under `encrypted_only`, and their clients show FUZZY_BLOCKED for a 403 CHECK. rspamd ≥ 3.10
 * answers 503 and 415 instead, keeping 403 for rate limits, and its clients show FUZZY_FORBIDDEN,
 * FUZZY_ENCRYPTION_REQUIRED and FUZZY_RATELIMITED. A 3.4 and a 3.12 client send the same bytes, so the server cannot
 * tell them apart; a 4.x client can be told by the multi-flag reply it asks for.
 *
 * - `auto` (default): 4.x clients get the 3.10 codes, other clients 3.4's, so a 3.4 site behaves as with rspamd 3.4;
 * - `3.10`: every client gets them (a site whose 3.x clients are 3.10 or later);
 * - `3.4`: every client gets 3.4's 403.
 */
export type ReplyCodeSet = 'auto' | '3.4' | '3.10';
export const REPLY_CODE_SETS: readonly ReplyCodeSet[] = ['auto', '3.4', '3.10'];

export interface RefusalCodes {
  /** A write or delete the source may not make, an unknown command. */
  refused: number;
  /** Plaintext under `encrypted_only`. */
  encryptionRequired: number;
}

const LEGACY: RefusalCodes = { refused: ReplyCode.Forbidden, encryptionRequired: ReplyCode.Forbidden };
const CURRENT: RefusalCodes = { refused: ReplyCode.Refused, encryptionRequired: ReplyCode.EncryptionRequired };

export function refusalCodes(set: ReplyCodeSet, reply: ReplyFormat): RefusalCodes {
  if (set === '3.4') return LEGACY;
  if (set === '3.10') return CURRENT;
  return reply === MULTI_FLAG_REPLY_BYTES ? CURRENT : LEGACY;
}
