import { type KeyConfig, type KeySource, type ServerKey, loadServerKey } from './server-key.js';

/**
 * What of the ring changes while fuzzyd runs, whole: the dynamic set (`dynamic_keys_map`), the keys made over the
 * admin API, and the ids of disabled keys of any source. Plain data: UDP threads are sent it and rebuild their ring.
 */
export interface KeyRingChanges {
  dynamic: readonly KeyConfig[];
  admin: readonly KeyConfig[];
  disabled: readonly string[];
}

/**
 * Every server key, and the choice of the key a request was encrypted to, as rspamd ≥ 3.8.2 chooses it
 * (docs/spec/access-controls.md §1.5, §3): the 8-byte wire id among the static keys first, then among the dynamic
 * keys (`dynamic_keys_map`), then among the keys made over the admin API (fuzzyd's own source, looked up like a
 * second dynamic set), else the default key, the last static one. With no static key an unmatched id finds nothing
 * and the datagram is dropped. The dynamic and admin sets are swapped whole, never merged.
 *
 * A disabled key (by its id, whatever its source) is still found, so its requests decrypt and are answered with a
 * refusal instead of timing out (server-key.ts `checkRefusal`, write-permission.ts).
 */
export class KeyRing {
  private readonly staticKeys: readonly ServerKey[];
  private readonly defaultId: string | null;
  private dynamicKeys: readonly ServerKey[] = [];
  private adminKeys: readonly ServerKey[] = [];
  private changes: KeyRingChanges = { dynamic: [], admin: [], disabled: [] };
  /** The lookup tables by wire id (hex), with disabled keys marked: rebuilt on every change, read per request. */
  private staticById: ReadonlyMap<string, ServerKey> = new Map();
  private dynamicById: ReadonlyMap<string, ServerKey> = new Map();
  private adminById: ReadonlyMap<string, ServerKey> = new Map();
  private defaultKey: ServerKey | null = null;

  /** Told after the dynamic set, the admin set or the disabled ids changed (UDP threads rebuild their ring from it). */
  onChange: (changes: KeyRingChanges) => void = () => {};

  /** `staticConfigs` are the config's keypairs, in order; throws when two share their wire id (rspamd ≥ 3.8.2 refuses that too). */
  constructor(
    readonly staticConfigs: readonly KeyConfig[],
    dynamicConfigs: readonly KeyConfig[] = [],
    admin: Omit<KeyRingChanges, 'dynamic'> = { admin: [], disabled: [] },
  ) {
    const keys = staticConfigs.map((cfg) => loadServerKey(cfg, 'static'));
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      const id = key.wireId.toString('hex');
      if (seen.has(id)) throw new Error(`keypair ${i + 1} has the same key id (first 8 bytes of pubkey) as an earlier one`);
      seen.add(id);
    });
    this.staticKeys = keys;
    this.defaultId = keys.at(-1)?.id ?? null;
    this.apply({ dynamic: dynamicConfigs, ...admin });
  }

  /** Whether an encrypted request can ever be decrypted (some key, of any source, may exist). */
  get size(): number {
    return this.staticById.size + this.dynamicById.size + this.adminById.size;
  }

  get dynamic(): readonly KeyConfig[] {
    return this.changes.dynamic;
  }

  /** The changeable part as it is now (what a new UDP thread starts with). */
  get current(): KeyRingChanges {
    return this.changes;
  }

  /** Every key, static ones in configuration order (the last is the default), then the dynamic ones, then the admin ones. */
  list(): { key: ServerKey; isDefault: boolean }[] {
    return [...this.staticById.values(), ...this.dynamicById.values(), ...this.adminById.values()].map((key) => ({
      key,
      isDefault: key === this.defaultKey,
    }));
  }

  /** The key with this id (zbase32 BLAKE2b-512, 103 characters) that a request can reach, or null. */
  byId(id: string): ServerKey | null {
    return this.list().find(({ key }) => key.id === id)?.key ?? null;
  }

  /** Which key already answers this wire id (a new key with it would never be reached), or null. */
  holderOf(wireId: Buffer): KeySource | null {
    const id = wireId.toString('hex');
    return this.staticById.get(id)?.source ?? this.dynamicById.get(id)?.source ?? this.adminById.get(id)?.source ?? null;
  }

  find(wireId: Buffer): ServerKey | null {
    const id = wireId.toString('hex');
    return this.staticById.get(id) ?? this.dynamicById.get(id) ?? this.adminById.get(id) ?? this.defaultKey;
  }

  /** Replaces the whole dynamic set. Throws (and keeps the old set) when a key does not load. */
  setDynamic(configs: readonly KeyConfig[]): void {
    this.apply({ ...this.changes, dynamic: configs });
    this.onChange(this.changes);
  }

  /** Replaces the admin keys and the disabled ids (keys/admin-keys.ts, after it stored them). */
  setAdmin(admin: readonly KeyConfig[], disabled: readonly string[]): void {
    this.apply({ ...this.changes, admin, disabled });
    this.onChange(this.changes);
  }

  /** Takes the changeable part whole, as the main thread sent it (udp-worker.ts); not told to onChange. */
  replace(changes: KeyRingChanges): void {
    this.apply(changes);
  }

  private apply(changes: KeyRingChanges): void {
    // Loaded before anything is replaced: a key that does not load throws and leaves the ring as it was.
    const dynamicKeys = changes.dynamic === this.changes.dynamic ? this.dynamicKeys : changes.dynamic.map((cfg) => loadServerKey(cfg, 'dynamic'));
    const adminKeys = changes.admin === this.changes.admin ? this.adminKeys : changes.admin.map((cfg) => loadServerKey(cfg, 'admin'));
    const disabled = new Set(changes.disabled);
    const mark = (key: ServerKey): ServerKey => (disabled.has(key.id) ? { ...key, disabled: true } : key);
    const table = (keys: readonly ServerKey[]): Map<string, ServerKey> => {
      const byId = new Map<string, ServerKey>();
      for (const key of keys) {
        const id = key.wireId.toString('hex');
        // A second key of one set with the same wire id could never be reached: the first one keeps it.
        if (!byId.has(id)) byId.set(id, mark(key));
      }
      return byId;
    };
    this.dynamicKeys = dynamicKeys;
    this.adminKeys = adminKeys;
    this.changes = { dynamic: [...changes.dynamic], admin: [...changes.admin], disabled: [...disabled] };
    this.staticById = table(this.staticKeys);
    this.dynamicById = table(dynamicKeys);
    this.adminById = table(adminKeys);
    this.defaultKey = this.defaultId === null ? null : ([...this.staticById.values()].find((k) => k.id === this.defaultId) ?? null);
  }
}
