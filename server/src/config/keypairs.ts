import type { KeyEncoding, KeypairConfig } from '../../../shared/protocol/crypto-keys.js';
import { KeyExtensionError, parseKeyExtensions } from '../keys/key-extensions.js';
import type { KeyConfig } from '../keys/server-key.js';
import { ConfigError } from './config-error.js';
import { splitList } from './value-parsers.js';

/** `privkey[:pubkey]` entries separated by commas, as FUZZYD_KEYPAIR holds them; the last one answers unknown key ids. */
export function parseKeypairList(text: string, key: string): KeypairConfig[] {
  return splitList(text).map((entry, i) => {
    const parts = entry.split(':');
    if (parts.length > 2 || parts[0] === '') {
      throw new ConfigError(key, `entry ${i + 1} is not privkey or privkey:pubkey`);
    }
    const [privkey, pubkey] = parts;
    return pubkey ? { privkey, pubkey } : { privkey };
  });
}

/** Fields of `rspamadm keypair`'s output that fuzzyd does not need but accepts, so its output can be pasted. */
const PASTED_FIELDS = new Set(['id', 'algorithm', 'type']);
const ENCODINGS: readonly KeyEncoding[] = ['base32', 'hex'];

/**
 * rspamd's `keypair` blocks in the file (or the elements of a `dynamic_keys_map`): one object or a list of them, with
 * rspamd's field names and the per-key `extensions { … }` (docs/spec/access-controls.md §2).
 */
export function parseKeypairObjects(value: unknown, key: string): KeyConfig[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    const at = (field: string): string => (Array.isArray(value) ? `[${i}].${field}` : field);
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ConfigError(key, `${Array.isArray(value) ? `[${i}]` : 'the keypair'} must be an object with privkey`);
    }
    const block = item as Record<string, unknown>;
    for (const field of Object.keys(block)) {
      if (!['privkey', 'pubkey', 'encoding', 'extensions'].includes(field) && !PASTED_FIELDS.has(field)) {
        throw new ConfigError(key, `${at(field)} is not a keypair field (privkey, pubkey, encoding, extensions)`);
      }
    }
    if (typeof block.privkey !== 'string' || block.privkey === '') {
      throw new ConfigError(key, `${at('privkey')} must be a non-empty string`);
    }
    const keypair: KeyConfig = { privkey: block.privkey };
    if (block.pubkey !== undefined) {
      if (typeof block.pubkey !== 'string') throw new ConfigError(key, `${at('pubkey')} must be a string`);
      keypair.pubkey = block.pubkey;
    }
    if (block.encoding !== undefined) {
      if (!ENCODINGS.includes(block.encoding as KeyEncoding)) {
        throw new ConfigError(key, `${at('encoding')} must be one of ${ENCODINGS.join(', ')}`);
      }
      keypair.encoding = block.encoding as KeyEncoding;
    }
    if (block.extensions !== undefined) {
      try {
        keypair.extensions = parseKeyExtensions(block.extensions);
      } catch (err) {
        if (!(err instanceof KeyExtensionError)) throw err;
        // Named by position and, when it has one, by its name or public key: never by anything secret.
        const which = typeof block.pubkey === 'string' ? ` (pubkey ${block.pubkey.slice(0, 12)}…)` : '';
        const named = nameOf(block.extensions);
        throw new ConfigError(key, `${Array.isArray(value) ? `[${i}]` : 'keypair'}${named ? ` '${named}'` : which}: ${err.message}`);
      }
    }
    return keypair;
  });
}

function nameOf(extensions: unknown): string | null {
  const name = typeof extensions === 'object' && extensions !== null ? (extensions as Record<string, unknown>).name : undefined;
  return typeof name === 'string' && name !== '' ? name : null;
}
