import { readFileSync } from 'node:fs';
import { fileSignature } from '../common/file-signature.js';
import { ConfigError } from '../config/config-error.js';
import { parseKeypairObjects } from '../config/keypairs.js';
import { parseUcl } from '../config/ucl.js';
import type { KeyRing } from './key-ring.js';
import { type KeyConfig, loadServerKey } from './server-key.js';

/**
 * rspamd's `dynamic_keys_map` (docs/spec/access-controls.md §3) from a local file: a UCL (or JSON) array of keypair
 * objects, each with optional `extensions`, read at start and then watched. A change is all or nothing: the new set
 * replaces the old one whole, and a file that does not parse, is not an array, holds a bad key or is empty (a file
 * being rewritten) leaves the old set in force, as rspamd does. HTTP maps are not supported.
 */

/** Throws ConfigError naming `key` and what is wrong; messages never quote key material. */
export function readDynamicKeysFile(path: string, key: string, emptyIsError: boolean): KeyConfig[] {
  if (/^(https?|file):\/\//i.test(path)) throw new ConfigError(key, 'only a local file path is supported (no HTTP or file:// maps)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(key, `cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (text.trim() === '') {
    if (emptyIsError) throw new ConfigError(key, `'${path}' is empty`);
    return [];
  }
  let value: unknown;
  try {
    value = parseUcl(text);
  } catch (err) {
    // UCL errors name a line and column and at most one character: nothing of a key can be read from them.
    throw new ConfigError(key, `'${path}' is not valid UCL/JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new ConfigError(key, `'${path}' must hold an array of keypair objects`);
  const configs = parseKeypairObjects(value, `${key} (${path})`);
  configs.forEach((cfg, i) => {
    try {
      loadServerKey(cfg, 'dynamic');
    } catch {
      // The key error itself may quote a character of the secret: only the position is told.
      throw new ConfigError(key, `'${path}' [${i}]: privkey/pubkey are not a valid curve25519 keypair`);
    }
  });
  return configs;
}

export interface DynamicKeysWatcherOptions {
  /** How often the file's mtime, size and inode are looked at. */
  intervalMs?: number;
  onLoaded: (count: number) => void;
  /** A change that could not be used; the old keys stay. */
  onError: (message: string) => void;
}

/** Polls the file and swaps the ring's dynamic set when it changed and reads cleanly. */
export class DynamicKeysWatcher {
  private timer: NodeJS.Timeout | null = null;
  private seen: string;

  constructor(
    private readonly path: string,
    private readonly key: string,
    private readonly ring: KeyRing,
    private readonly o: DynamicKeysWatcherOptions,
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

  /** Reads the file again when it changed since the last look; exported for tests that cannot wait. */
  poll(): void {
    const now = this.signature();
    if (now === this.seen) return;
    this.seen = now;
    try {
      const configs = readDynamicKeysFile(this.path, this.key, true);
      this.ring.setDynamic(configs);
      this.o.onLoaded(configs.length);
    } catch (err) {
      this.o.onError(err instanceof ConfigError ? err.message : 'the dynamic keys could not be loaded');
    }
  }

  private signature(): string {
    return fileSignature(this.path);
  }
}
