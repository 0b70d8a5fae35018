import { readFileSync } from 'node:fs';
import { fileSignature } from '../common/file-signature.js';
import { ConfigError } from '../config/config-error.js';
import { parseKeypairObjects } from '../config/keypairs.js';
import { parseUcl } from '../config/ucl.js';
import type { KeyRing } from './key-ring.js';
import { type KeyConfig, loadServerKey } from './server-key.js';
import { MapFetchError, type MapValidators, NO_VALIDATORS, fetchHttpMap, redactMapUrl } from './http-map-fetch.js';

/**
 * rspamd's `dynamic_keys_map` (docs/spec/access-controls.md §3): a UCL (or JSON) array of keypair objects, each with
 * optional `extensions`, from a local file (a path or `file://`) or an `http(s)://` URL. A change is all or
 * nothing: the new set replaces the old one whole, and content that does not parse, is not an array, holds a bad
 * key or is empty (a file being rewritten) leaves the old set in force, as rspamd does. Files are looked at every
 * 2 s (rspamd watches them through libev's stat watcher, inotify where it can); URLs are polled every
 * `map_watch_interval` with a conditional GET (http-map-fetch.ts), one poll at a time.
 */

export type MapSource = { kind: 'file'; path: string } | { kind: 'http'; url: string };

/** The setting as the config holds it: where the keys come from, and the keys a file held at start. */
export interface DynamicKeysSetting {
  source: MapSource;
  /** The variable or file key it came from, for messages. */
  key: string;
  /** A file's keys, read at start; empty for a URL, whose first fetch happens when fuzzyd starts. */
  keys: KeyConfig[];
}

/** How often a file's mtime, size and inode are looked at. */
export const FILE_WATCH_INTERVAL_MS = 2000;
/** A map body larger than this is refused (rspamd's `max_map_size` is 256 MB; a key map of 10k keys is ~3 MB). */
export const MAX_MAP_BYTES = 16 * 1024 * 1024;
/** Longest one HTTP poll may take, connect to last byte (shorter when the interval is). */
export const MAX_FETCH_MS = 10_000;

/** `http(s)://` → a URL, `file://path` or a bare path → a file; any other scheme (`sign+`, `fallback+`, …) is refused. */
export function parseMapSource(text: string, key: string): MapSource {
  const value = text.trim();
  if (/^https?:\/\//i.test(value)) {
    try {
      return { kind: 'http', url: new URL(value).href };
    } catch {
      throw new ConfigError(key, `'${redactMapUrl(value)}' is not a valid URL`);
    }
  }
  if (/^file:\/\//i.test(value)) return { kind: 'file', path: value.slice('file://'.length) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^(sign|fallback|key=[^+]*)\+/i.test(value)) {
    throw new ConfigError(key, `'${redactMapUrl(value)}': only a file path, file:// or http(s):// maps are supported`);
  }
  return { kind: 'file', path: value };
}

/** The config value: a file is read now, so one that cannot be used stops the start. */
export function readDynamicKeysSetting(text: string, key: string): DynamicKeysSetting {
  const source = parseMapSource(text, key);
  return { source, key, keys: source.kind === 'file' ? readDynamicKeysFile(source.path, key, false) : [] };
}

/** The file path or the URL without its userinfo: what logs and messages may show. */
export function describeMapSource(source: MapSource): string {
  return source.kind === 'file' ? source.path : redactMapUrl(source.url);
}

/** Throws ConfigError naming `key` and what is wrong; messages never quote key material. */
export function readDynamicKeysFile(path: string, key: string, emptyIsError: boolean): KeyConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(key, `cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseDynamicKeys(text, path, key, emptyIsError);
}

/** The map's text as keys; `where` names the file or (redacted) URL in messages. */
export function parseDynamicKeys(text: string, where: string, key: string, emptyIsError: boolean): KeyConfig[] {
  if (text.trim() === '') {
    if (emptyIsError) throw new ConfigError(key, `'${where}' is empty`);
    return [];
  }
  let value: unknown;
  try {
    value = parseUcl(text);
  } catch (err) {
    // UCL errors name a line and column and at most one character: nothing of a key can be read from them.
    throw new ConfigError(key, `'${where}' is not valid UCL/JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new ConfigError(key, `'${where}' must hold an array of keypair objects`);
  const configs = parseKeypairObjects(value, `${key} (${where})`);
  configs.forEach((cfg, i) => {
    try {
      loadServerKey(cfg, 'dynamic');
    } catch {
      // The key error itself may quote a character of the secret: only the position is told.
      throw new ConfigError(key, `'${where}' [${i}]: privkey/pubkey are not a valid curve25519 keypair`);
    }
  });
  return configs;
}

export interface DynamicKeysWatcherOptions {
  /** How often a URL is polled (`map_watch_interval`); files are looked at every FILE_WATCH_INTERVAL_MS. */
  intervalMs?: number;
  /** One HTTP poll's deadline; default min(MAX_FETCH_MS, interval). */
  fetchTimeoutMs?: number;
  maxBytes?: number;
  onLoaded: (count: number) => void;
  /** Content that could not be used, or a URL that could not be fetched; the old keys stay. */
  onError: (message: string) => void;
}

/** Watches the map and swaps the ring's dynamic set when it changed and reads cleanly. */
export class DynamicKeysWatcher {
  private readonly source: MapSource;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private abort: AbortController | null = null;
  /** A file's last (inode, size, mtime); a URL's validators of the last complete answer. */
  private seen: string;
  private validators: MapValidators = NO_VALIDATORS;

  constructor(
    source: MapSource | string,
    private readonly key: string,
    private readonly ring: KeyRing,
    private readonly o: DynamicKeysWatcherOptions,
  ) {
    this.source = typeof source === 'string' ? { kind: 'file', path: source } : source;
    this.seen = this.source.kind === 'file' ? fileSignature(this.source.path) : '';
  }

  private get intervalMs(): number {
    return this.source.kind === 'file' ? FILE_WATCH_INTERVAL_MS : (this.o.intervalMs ?? 300_000);
  }

  /** Polls every interval, the next poll timed from the end of the last, so two never overlap. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
  }

  /**
   * Looks at the map once (a file only when it changed since the last look). A poll asked for while one runs gets
   * that one. Exported for tests and for the first fetch at start; never rejects.
   */
  poll(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.source.kind === 'file') {
      this.pollFile(this.source.path);
      return Promise.resolve();
    }
    const run = this.pollUrl(this.source.url).finally(() => {
      this.inFlight = null;
    });
    this.inFlight = run;
    return run;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll().then(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private pollFile(path: string): void {
    const now = fileSignature(path);
    if (now === this.seen) return;
    this.seen = now;
    this.swap(() => readDynamicKeysFile(path, this.key, true));
  }

  private async pollUrl(url: string): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const timeoutMs = this.o.fetchTimeoutMs ?? Math.min(MAX_FETCH_MS, this.intervalMs);
    try {
      const answer = await fetchHttpMap(url, this.validators, { timeoutMs, maxBytes: this.o.maxBytes ?? MAX_MAP_BYTES }, abort.signal);
      // Kept even when the body turns out unusable: the same validators mean the same bytes, not worth fetching again.
      this.validators = answer.validators;
      if (answer.status === 'modified') this.swap(() => parseDynamicKeys(answer.body, redactMapUrl(url), this.key, true));
    } catch (err) {
      if (abort.signal.aborted) return;
      this.o.onError(err instanceof MapFetchError ? err.message : 'the map could not be fetched');
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  private swap(read: () => KeyConfig[]): void {
    try {
      const configs = read();
      this.ring.setDynamic(configs);
      this.o.onLoaded(configs.length);
    } catch (err) {
      this.o.onError(err instanceof ConfigError ? err.message : 'the dynamic keys could not be loaded');
    }
  }
}
