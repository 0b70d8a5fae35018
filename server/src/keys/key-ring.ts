import { type KeyConfig, type ServerKey, loadServerKey } from './server-key.js';

/**
 * Every server key, and the choice of the key a request was encrypted to, as rspamd ≥ 3.8.2 chooses it
 * (docs/spec/access-controls.md §1.5, §3): the 8-byte wire id among the static keys first, then among the dynamic
 * keys (`dynamic_keys_map`), else the default key, the last static one. With no static key an unmatched id finds
 * nothing and the datagram is dropped. The dynamic set is swapped whole, never merged.
 */
export class KeyRing {
  private readonly staticById: ReadonlyMap<string, ServerKey>;
  private readonly defaultKey: ServerKey | null;
  private dynamicById: ReadonlyMap<string, ServerKey> = new Map();
  private dynamicConfigs: readonly KeyConfig[] = [];

  /** Told after the dynamic set changed, with its configs (UDP threads rebuild their own ring from them). */
  onDynamicChange: (configs: readonly KeyConfig[]) => void = () => {};

  /** `staticKeys` are the config's keypairs, in order; throws when two share their wire id (rspamd ≥ 3.8.2 refuses that too). */
  constructor(
    readonly staticConfigs: readonly KeyConfig[],
    dynamicConfigs: readonly KeyConfig[] = [],
  ) {
    const keys = staticConfigs.map((cfg) => loadServerKey(cfg, 'static'));
    const byId = new Map<string, ServerKey>();
    keys.forEach((key, i) => {
      const id = key.wireId.toString('hex');
      if (byId.has(id)) throw new Error(`keypair ${i + 1} has the same key id (first 8 bytes of pubkey) as an earlier one`);
      byId.set(id, key);
    });
    this.staticById = byId;
    this.defaultKey = keys.at(-1) ?? null;
    this.applyDynamic(dynamicConfigs);
  }

  /** Whether an encrypted request can ever be decrypted (some key, static or dynamic, may exist). */
  get size(): number {
    return this.staticById.size + this.dynamicById.size;
  }

  get dynamic(): readonly KeyConfig[] {
    return this.dynamicConfigs;
  }

  /** Every key, static ones in configuration order (the last is the default), then the dynamic ones. */
  list(): { key: ServerKey; isDefault: boolean }[] {
    return [
      ...[...this.staticById.values()].map((key) => ({ key, isDefault: key === this.defaultKey })),
      ...[...this.dynamicById.values()].map((key) => ({ key, isDefault: false })),
    ];
  }

  find(wireId: Buffer): ServerKey | null {
    const id = wireId.toString('hex');
    return this.staticById.get(id) ?? this.dynamicById.get(id) ?? this.defaultKey;
  }

  /** Replaces the whole dynamic set. Throws (and keeps the old set) when a key does not load. */
  setDynamic(configs: readonly KeyConfig[]): void {
    this.applyDynamic(configs);
    this.onDynamicChange(this.dynamicConfigs);
  }

  private applyDynamic(configs: readonly KeyConfig[]): void {
    const byId = new Map<string, ServerKey>();
    for (const cfg of configs) {
      const key = loadServerKey(cfg, 'dynamic');
      const id = key.wireId.toString('hex');
      // A second dynamic key with the same wire id could never be reached: the first one keeps it.
      if (!byId.has(id)) byId.set(id, key);
    }
    this.dynamicById = byId;
    this.dynamicConfigs = [...configs];
  }
}
