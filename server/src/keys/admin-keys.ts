import { generateKeypair, type KeypairConfig } from '../../../shared/protocol/crypto-keys.js';
import { zbase32Encode } from '../../../shared/protocol/zbase32.js';
import { ConflictError, NotFoundError } from '../common/api-error.js';
import { type AdminKeyFile, type AdminKeyRecord, writeAdminKeyFile } from './admin-key-file.js';
import { parseKeyExtensions } from './key-extensions.js';
import type { KeyRing } from './key-ring.js';
import { type KeyConfig, type ServerKey, keyLabel, loadServerKey } from './server-key.js';

/** Admin keys at most: the ring is rebuilt whole on every change, and every UDP thread is sent all of them. */
export const MAX_ADMIN_KEYS = 1000;

export interface AdminKeysLog {
  info(context: Record<string, unknown>, message: string): void;
}

/**
 * The keys made over the admin API, and disabling keys of any source (docs/spec/access-controls.md §2.3). Each change
 * is written to the admin keys file first (admin-key-file.ts), then the ring is given the new sets, which posts them
 * to every UDP thread (key-ring.ts `onChange`): a change answered over the API already applies to the next datagram,
 * and survives a restart. Changes run one at a time, so two concurrent edits never install a set that misses one.
 *
 * Options of static and dynamic keys belong to their file: only their disabled state is kept here, by key id, and it
 * stays while the key is absent (a dynamic key taken out of the map and put back is still disabled).
 */
export class AdminKeys {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly ring: KeyRing,
    private file: AdminKeyFile,
    private readonly log: AdminKeysLog,
  ) {}

  /**
   * A new key: generated here (a fresh curve25519 keypair, as `rspamadm keypair` makes it) or the one given.
   * `extensions` is rspamd's object (key-extensions.ts checks it; KeyExtensionError names the field). `privkey` is
   * returned only for a generated key, and only from here: nothing else ever answers it.
   */
  create(extensions: Record<string, unknown>, supplied: KeypairConfig | null): Promise<{ key: ServerKey; privkey: string | null }> {
    const parsed = parseKeyExtensions(extensions);
    return this.serialized(async () => {
      if (this.file.keys.length >= MAX_ADMIN_KEYS) throw new ConflictError(`at most ${MAX_ADMIN_KEYS} keys can be made over the API; delete one first`);
      const generated = supplied ? null : generateKeypair();
      const cfg: KeyConfig = { ...(supplied ?? { privkey: generated!.privkey, pubkey: generated!.pubkey }), extensions: parsed };
      const loaded = loadServerKey(cfg, 'admin');
      const holder = this.ring.holderOf(loaded.wireId);
      if (holder) {
        throw new ConflictError(`keypair: a ${holder} key with the same key id (the first 8 bytes of the public key) is already served`, 'keypair');
      }
      // Stored in rspamd's base32 whatever encoding was given, with the id rspamadm prints.
      const record: AdminKeyRecord = {
        privkey: generated?.privkey ?? zbase32Encode(loaded.secretKey),
        pubkey: loaded.pubkey,
        id: loaded.id,
        extensions,
        created_at: Math.floor(Date.now() / 1000),
      };
      await this.commit({ ...this.file, keys: [...this.file.keys, record] });
      this.log.info({ key: keyLabel(loaded), id: loaded.id, generated: !supplied }, 'admin key added');
      return { key: this.present(loaded.id), privkey: generated?.privkey ?? null };
    });
  }

  /**
   * Changes an admin key's extensions: `change` gets the stored object and returns the new one, inside the queue, so
   * two concurrent edits of different options both stay. Throws 404 / 409 (not an admin key) / KeyExtensionError.
   */
  update(id: string, change: (stored: Record<string, unknown>) => Record<string, unknown>): Promise<ServerKey> {
    return this.serialized(async () => {
      const extensions = change(this.adminRecord(id, 'its options are set in its file; only disabled can be changed here').extensions);
      parseKeyExtensions(extensions);
      await this.commit({ ...this.file, keys: this.file.keys.map((r) => (r.id === id ? { ...r, extensions } : r)) });
      this.log.info({ id }, 'admin key changed');
      return this.present(id);
    });
  }

  setDisabled(id: string, disabled: boolean): Promise<ServerKey> {
    return this.serialized(async () => {
      this.present(id);
      const others = this.file.disabled.filter((d) => d !== id);
      if (disabled !== this.file.disabled.includes(id)) await this.commit({ ...this.file, disabled: disabled ? [...others, id] : others });
      this.log.info({ id }, disabled ? 'key disabled' : 'key enabled');
      return this.present(id);
    });
  }

  remove(id: string): Promise<void> {
    return this.serialized(async () => {
      this.adminRecord(id, 'it is served from its file; remove it there, or disable it here');
      await this.commit({ keys: this.file.keys.filter((r) => r.id !== id), disabled: this.file.disabled.filter((d) => d !== id) });
      this.log.info({ id }, 'admin key deleted');
    });
  }

  /** The key as served now: throws NotFoundError when no source has it. */
  private present(id: string): ServerKey {
    const key = this.ring.byId(id);
    if (!key) throw new NotFoundError(`no key with id ${id.slice(0, 12)}…`);
    return key;
  }

  private adminRecord(id: string, otherwise: string): AdminKeyRecord {
    const key = this.present(id);
    const record = this.file.keys.find((r) => r.id === id);
    // A key the admin made that a static or dynamic key with its wire id shadows now is still the file's to edit.
    if (record) return record;
    throw new ConflictError(`key ${keyLabel(key)} comes from ${key.source === 'static' ? 'the configuration' : 'dynamic_keys_map'}: ${otherwise}`);
  }

  /** Stored first, then served: a change that could not be written changes nothing. */
  private async commit(next: AdminKeyFile): Promise<void> {
    const configs: KeyConfig[] = next.keys.map((r) => ({ privkey: r.privkey, pubkey: r.pubkey, extensions: parseKeyExtensions(r.extensions) }));
    await writeAdminKeyFile(this.path, next);
    this.file = next;
    this.ring.setAdmin(configs, next.disabled);
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
