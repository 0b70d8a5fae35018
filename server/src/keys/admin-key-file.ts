import { existsSync, readFileSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseKeypairObjects } from '../config/keypairs.js';
import { type KeyConfig, loadServerKey } from './server-key.js';

/**
 * The keys made over the admin API and the ids of disabled keys (of any source), in one JSON file beside the
 * database, mode 0600. Why a file and not the admin tables (database/, where networks and tokens live):
 * - the admin tables sit in the fuzzy store's SQLite file, in rspamd's layout, which rspamd, backups and copies of the
 *   store open; tokens are kept there only as hashes, but a server key's private half must be kept as it is, so it
 *   gets a file as private as the configuration file that holds the static keys;
 * - the file is read before the UDP plane starts, like the configuration and `dynamic_keys_map`, so the first
 *   datagram after a restart already finds the admin keys and the disabled ids (the TypeORM connection exists only
 *   once Nest has started, after the UDP sockets are bound);
 * - each element of `keys` is an rspamd keypair object with `extensions`, so a key can be moved into an rspamd
 *   `dynamic_keys_map` as it is (`created_at` left out).
 *
 * Written whole: a new file (0600), fsynced, renamed over the old one, and the directory fsynced, so a crash leaves
 * the old file or the new one, never half of one.
 */
export interface AdminKeyRecord {
  privkey: string;
  pubkey: string;
  id: string;
  /** rspamd's `extensions { … }` object as text fields (name, allowed_ops, expire DD-MM-YYYY, forbidden_ids, ratelimit). */
  extensions: Record<string, unknown>;
  /** Unix seconds. */
  created_at: number;
}

export interface AdminKeyFile {
  keys: AdminKeyRecord[];
  /** Ids (zbase32 BLAKE2b-512, 103 characters) of disabled keys, admin or not; kept while a key is absent, too. */
  disabled: string[];
}

const FORMAT = 'fuzzyd admin keys';
const VERSION = 1;

export function adminKeyFilePath(dbPath: string): string {
  return join(dirname(dbPath), 'fuzzyd_keys.json');
}

export class AdminKeyFileError extends Error {
  override readonly name = 'AdminKeyFileError';
}

/** The file's content, empty when there is none yet; throws AdminKeyFileError naming the file (never key material). */
export function readAdminKeyFile(path: string): { file: AdminKeyFile; configs: KeyConfig[]; tooOpen: boolean } {
  if (!existsSync(path)) return { file: { keys: [], disabled: [] }, configs: [], tooOpen: false };
  const fail = (problem: string): never => {
    throw new AdminKeyFileError(`the admin keys file '${path}' ${problem}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return fail(err instanceof SyntaxError ? 'is not valid JSON' : `cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const doc = value as Partial<AdminKeyFile> & { format?: unknown; version?: unknown };
  if (typeof doc !== 'object' || doc === null || doc.format !== FORMAT || doc.version !== VERSION) {
    return fail(`is not a '${FORMAT}' file of version ${VERSION}`);
  }
  if (!Array.isArray(doc.keys) || !Array.isArray(doc.disabled) || !doc.disabled.every((id) => typeof id === 'string')) {
    return fail('must hold a keys list and a disabled list');
  }
  let configs: KeyConfig[];
  try {
    // The same parser as keypair blocks and dynamic_keys_map elements; created_at is fuzzyd's own.
    configs = parseKeypairObjects(
      doc.keys.map(({ created_at: _created, ...keypair }) => keypair),
      path,
    );
  } catch (err) {
    return fail(`holds a key that does not load: ${(err as Error).message}`);
  }
  configs.forEach((cfg, i) => {
    try {
      loadServerKey(cfg, 'admin');
    } catch {
      // The key error itself may quote a character of the secret: only the position is told.
      fail(`keys[${i}]: privkey/pubkey are not a valid curve25519 keypair`);
    }
  });
  const tooOpen = (statSync(path).mode & 0o077) !== 0;
  return { file: { keys: doc.keys, disabled: doc.disabled }, configs, tooOpen };
}

/** Replaces the file with `file` (see above: new file, fsync, rename, directory fsync). */
export async function writeAdminKeyFile(path: string, file: AdminKeyFile): Promise<void> {
  const text = `${JSON.stringify({ format: FORMAT, version: VERSION, ...file }, null, 2)}\n`;
  const next = `${path}.new`;
  const handle = await open(next, 'w', 0o600);
  try {
    // `open`'s mode only applies when the file is created: a leftover .new keeps its own, so set it again.
    await handle.chmod(0o600);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(next, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
