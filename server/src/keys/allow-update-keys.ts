import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import { splitList } from '../config/value-parsers.js';

/**
 * `allow_update_keys` (docs/spec/access-controls.md §1.2 step 3): server key ids whose clients may update. An id is
 * zbase32(BLAKE2b-512(server public key)), 103 characters: the `id` that `rspamadm keypair` prints (crypto-keys.ts
 * `keyId`). An entry that is not an id is read as a file in rspamd's map format: the first token of each line, `#`
 * starting a comment. Read once at start.
 */
export const KEY_ID = /^[ybndrfg8ejkmcpqxot1uwisza345h769]{103}$/;
/** A public key in zbase32 (52 characters): a likely mistake, worth its own message. */
const PUBKEY = /^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/;

export function parseAllowUpdateKeys(text: string, key: string): string[] {
  const ids = new Set<string>();
  for (const entry of splitList(text)) {
    if (KEY_ID.test(entry)) ids.add(entry);
    else if (PUBKEY.test(entry)) throw new ConfigError(key, `an entry is a public key; list the key's id (103 characters, the id rspamadm keypair prints)`);
    else if (existsSync(entry)) for (const id of readKeyIdsFile(entry, key)) ids.add(id);
    else {
      // Only a path is quoted back: an entry that is not one might be key material pasted into the wrong place.
      const what = entry.includes('/') ? `'${entry}'` : `an entry of ${entry.length} characters`;
      throw new ConfigError(key, `${what} is neither a key id (103 zbase32 characters) nor an existing file`);
    }
  }
  return [...ids];
}

function readKeyIdsFile(path: string, key: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(key, `cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const ids: string[] = [];
  text.split('\n').forEach((line, i) => {
    const token = line.replace(/#.*/, '').trim().split(/\s+/)[0];
    if (!token) return;
    if (!KEY_ID.test(token)) throw new ConfigError(key, `'${path}' line ${i + 1} is not a key id (103 zbase32 characters)`);
    ids.push(token);
  });
  return ids;
}
