/** curve25519 keys in rspamd's text forms, key ids, and `rspamadm keypair`-style generation (spec §9.1). */
import { randomBytes } from 'node:crypto';
import { KeyFormatError } from './errors.js';
import { sodium } from './sodium.js';
import { zbase32Decode, zbase32Encode } from './zbase32.js';

export const KEY_BYTES = 32;
/** The wire key_id is only the first 8 bytes of the server public key (§4.4), not the BLAKE2b id. */
export const WIRE_KEY_ID_BYTES = 8;

export type KeyEncoding = 'base32' | 'hex';

/** One `keypair { ... }` block of the worker config, with rspamd's field names. */
export interface KeypairConfig {
  privkey: string;
  /** Derived from privkey when absent; checked against it when present. */
  pubkey?: string;
  /** rspamd's `encoding`; guessed from the text when absent (64 hex digits = hex, otherwise zbase32). */
  encoding?: KeyEncoding;
}

export interface ServerKeypair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** First 8 bytes of publicKey: what clients put in the request header. */
  wireId: Buffer;
  /** zbase32(BLAKE2b-512(publicKey)), 103 chars: the id `allow_update_keys` and statistics use (§7). */
  id: string;
  /** publicKey in zbase32, for logs and the admin API. */
  pubkey: string;
}

export function decodeKey(text: string, encoding?: KeyEncoding): Uint8Array {
  const trimmed = text.trim();
  const enc = encoding ?? (/^[0-9a-fA-F]{64}$/.test(trimmed) ? 'hex' : 'base32');
  let bytes: Buffer;
  if (enc === 'hex') {
    if (!/^[0-9a-fA-F]*$/.test(trimmed)) throw new KeyFormatError('key is not hexadecimal');
    bytes = Buffer.from(trimmed, 'hex');
  } else {
    try {
      bytes = zbase32Decode(trimmed);
    } catch (err) {
      throw new KeyFormatError(`key is not rspamd zbase32: ${(err as Error).message}`);
    }
  }
  if (bytes.length !== KEY_BYTES) {
    throw new KeyFormatError(`a curve25519 key is ${KEY_BYTES} bytes, this one decodes to ${bytes.length}`);
  }
  return new Uint8Array(bytes);
}

/** zbase32(BLAKE2b-512(publicKey)): the `id` printed by `rspamadm keypair`. */
export function keyId(publicKey: Uint8Array): string {
  return zbase32Encode(sodium.crypto_generichash(64, publicKey, null));
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  // X25519 clamps the scalar itself, exactly as rspamd re-clamps before every multiplication (§9.1).
  return sodium.crypto_scalarmult_base(secretKey);
}

export function loadServerKeypair(cfg: KeypairConfig): ServerKeypair {
  const secretKey = decodeKey(cfg.privkey, cfg.encoding);
  const derived = publicKeyOf(secretKey);
  if (cfg.pubkey !== undefined && !Buffer.from(decodeKey(cfg.pubkey, cfg.encoding)).equals(derived)) {
    throw new KeyFormatError('pubkey does not belong to privkey');
  }
  return {
    secretKey,
    publicKey: derived,
    wireId: Buffer.from(derived.subarray(0, WIRE_KEY_ID_BYTES)),
    id: keyId(derived),
    pubkey: zbase32Encode(derived),
  };
}

export interface RawKeypair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function generateRawKeypair(): RawKeypair {
  const secretKey = new Uint8Array(randomBytes(KEY_BYTES));
  // Stored clamped, as rspamd does when it makes a key (§9.1).
  secretKey[0] &= 248;
  secretKey[31] &= 127;
  secretKey[31] |= 64;
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

export interface GeneratedKeypair {
  privkey: string;
  pubkey: string;
  id: string;
}

/** A fresh server keypair in the text form `rspamadm keypair` prints and the worker config takes. */
export function generateKeypair(): GeneratedKeypair {
  const { secretKey, publicKey } = generateRawKeypair();
  return { privkey: zbase32Encode(secretKey), pubkey: zbase32Encode(publicKey), id: keyId(publicKey) };
}
