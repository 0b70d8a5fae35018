import { existsSync, readFileSync } from 'node:fs';
import { fileSignature } from '../common/file-signature.js';
import { ConfigError } from '../config/config-error.js';
import { splitList } from '../config/value-parsers.js';

/**
 * `allow_update_keys` (docs/spec/access-controls.md §1.2 step 3): server key ids whose clients may update. An id is
 * zbase32(BLAKE2b-512(server public key)), 103 characters: the `id` that `rspamadm keypair` prints (crypto-keys.ts
 * `keyId`). An entry that is not an id is read as a file in rspamd's map format: the first token of each line, `#`
 * starting a comment. Files are read at start and again whenever they change (AllowUpdateKeysWatcher).
 */
export const KEY_ID = /^[ybndrfg8ejkmcpqxot1uwisza345h769]{103}$/;
/** A public key in zbase32 (52 characters): a likely mistake, worth its own message. */
const PUBKEY = /^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/;

export interface AllowUpdateKeysConfig {
  /** Every id in force: the literal entries, then what the files held. */
  ids: string[];
  /** The entries that are ids themselves. */
  literal: string[];
  /** The entries read as map files. */
  files: string[];
}

export function parseAllowUpdateKeys(text: string, key: string): AllowUpdateKeysConfig {
  const literal: string[] = [];
  const files: string[] = [];
  for (const entry of splitList(text)) {
    if (KEY_ID.test(entry)) literal.push(entry);
    else if (PUBKEY.test(entry)) throw new ConfigError(key, `an entry is a public key; list the key's id (103 characters, the id rspamadm keypair prints)`);
    else if (existsSync(entry)) files.push(entry);
    else {
      // Only a path is quoted back: an entry that is not one might be key material pasted into the wrong place.
      const what = entry.includes('/') ? `'${entry}'` : `an entry of ${entry.length} characters`;
      throw new ConfigError(key, `${what} is neither a key id (103 zbase32 characters) nor an existing file`);
    }
  }
  return { ids: readAllowUpdateKeys(literal, files, key), literal, files };
}

/** The literal ids and every file's ids, each once; a file that cannot be read or holds a bad line throws. */
export function readAllowUpdateKeys(literal: readonly string[], files: readonly string[], key: string): string[] {
  const ids = new Set(literal);
  for (const file of files) for (const id of readKeyIdsFile(file, key)) ids.add(id);
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

export interface AllowUpdateKeysWatcherOptions {
  intervalMs?: number;
  /** The ids now in force (literal entries and every file), after a file changed and read cleanly. */
  onLoaded: (ids: string[]) => void;
  /** A change that could not be used (a file gone or holding a bad line): the ids in force stay, as rspamd keeps a map. */
  onError: (message: string) => void;
}

/** Polls the map files of `allow_update_keys` (every 2 s, as the dynamic keys map) and reads them all again on a change. */
export class AllowUpdateKeysWatcher {
  private timer: NodeJS.Timeout | null = null;
  private seen: string;

  constructor(
    private readonly config: AllowUpdateKeysConfig,
    private readonly key: string,
    private readonly o: AllowUpdateKeysWatcherOptions,
  ) {
    this.seen = this.signature();
  }

  start(): void {
    this.timer ??= setInterval(() => this.poll(), this.o.intervalMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the files again when one changed since the last look; exported for tests that cannot wait. */
  poll(): void {
    const now = this.signature();
    if (now === this.seen) return;
    this.seen = now;
    try {
      this.o.onLoaded(readAllowUpdateKeys(this.config.literal, this.config.files, this.key));
    } catch (err) {
      this.o.onError(err instanceof ConfigError ? err.message : 'the allow_update_keys files could not be read');
    }
  }

  private signature(): string {
    return this.config.files.map(fileSignature).join('|');
  }
}
