import { Command } from '../../../shared/protocol/constants.js';
import { keyLabel, type ServerKey } from '../keys/server-key.js';
import { NetworkList, type NetworkEntry } from '../udp/network-list.js';
import { BucketTable } from './bucket-table.js';
import { parseKeyLimit, type KeyLimit } from './key-limit.js';
import { ALLOWED, chargeKeyBucket, chargeNetworkBucket, CREATED, LAST, LEVEL, startKeyBucket, startNetworkBucket, TRIPPED } from './leaky-bucket.js';
import { SourceNetworks } from './source-network.js';

/**
 * rspamd's rate limits (docs/spec/access-controls.md §4): one leaky bucket per masked source network (§4.3), and one
 * per server key whose `extensions.ratelimit` sets one (§4.5). Both tables live in shared memory (bucket-table.ts),
 * so every UDP thread and the main thread (TCP frames, forwarded requests) charge the same buckets.
 *
 * Charged (§4.2, rspamd 4.1.5): CHECK, PING and STAT against the network bucket (PING/STAT since 4.1.3), encrypted
 * CHECKs against their key's bucket too. WRITE and DEL never: write permission guards them. The caller refuses
 * (403 for a CHECK, silence for PING/STAT, §4.6) when `admit` says so.
 *
 * Per request: one Map lookup of the source string (source-network.ts), one hash, one spinlock, a scan of eight
 * slots and a few float operations; nothing is allocated after a source or key is first seen.
 */
export interface RateLimitSettings {
  /** Requests per second leaked from a network's bucket; null: no network limit (rspamd needs rate and burst). */
  rate: number | null;
  burst: number | null;
  networkMask: number;
  bucketTtlSeconds: number;
  maxBuckets: number;
  whitelist: NetworkEntry[];
  logOnly: boolean;
  /** rspamd ≥ 3.14 exempts local addresses; false limits them too, as 3.4–3.13 do. */
  exemptLocal: boolean;
}

/** What a UDP thread needs to charge the same buckets: the settings and the two tables' buffers. */
export interface RateLimitShare {
  settings: RateLimitSettings;
  networks: SharedArrayBuffer | null;
  keys: SharedArrayBuffer;
}

/** Keys with their own limit that keep a bucket at most; more evict the oldest (a bounded table, like the other). */
const MAX_KEY_BUCKETS = 1024;

/** Why a request is over a limit, for the log line of a trip. */
export type OverLimit = 'network' | 'key';
export type BanListener = (message: string, context: Record<string, unknown>) => void;

export class RateLimits {
  private networks: BucketTable | null = null;
  private readonly keys: BucketTable;
  private sources!: SourceNetworks;
  private current!: RateLimitSettings;
  /** Per thread: a key's parsed limit and its 5-word table key, made once per ServerKey object. */
  private readonly keyLimits = new WeakMap<ServerKey, { limit: KeyLimit; id: Int32Array } | null>();

  /** The main thread makes the tables; a UDP thread passes the share it was given. */
  constructor(
    settings: RateLimitSettings,
    private readonly onTrip: BanListener,
    shared?: Pick<RateLimitShare, 'networks' | 'keys'>,
  ) {
    this.keys = new BucketTable(shared?.keys ?? MAX_KEY_BUCKETS);
    this.install(settings, shared?.networks ?? null);
  }

  get settings(): RateLimitSettings {
    return this.current;
  }

  /**
   * New settings while serving (the admin API, access/settings), on the main thread. The network buckets stay, with
   * their levels, times and bans, and the next charge leaks and compares with the new rate and burst, unless the
   * table's shape changes: a new `networkMask` (a bucket's key is its masked network) or a `maxBuckets` of another
   * size starts an empty table, and so does turning the limit off and on again. Key buckets always stay. Returns
   * whether the network table was started afresh. UDP threads then `adopt` the new `share`.
   */
  reconfigure(settings: RateLimitSettings): boolean {
    const old = this.networks;
    const keep = old !== null && settings.networkMask === this.current.networkMask && old.sets === BucketTable.setsFor(settings.maxBuckets);
    this.install(settings, keep ? old.buffer : null);
    return this.networks !== null && !keep;
  }

  /** A UDP thread: the main thread's settings and tables after a `reconfigure`. */
  adopt(share: RateLimitShare): void {
    this.install(share.settings, share.networks);
  }

  private install(settings: RateLimitSettings, networks: SharedArrayBuffer | null): void {
    const networkLimit = settings.rate !== null && settings.burst !== null;
    const table = this.networks;
    this.networks = !networkLimit ? null : networks && table?.buffer === networks ? table : new BucketTable(networks ?? settings.maxBuckets);
    this.sources = new SourceNetworks({ mask: settings.networkMask, whitelist: new NetworkList(settings.whitelist), exemptLocal: settings.exemptLocal });
    this.current = settings;
  }

  /** The network buckets (null without a network limit): bucket-file.ts saves and restores them. */
  get networkBuckets(): BucketTable | null {
    return this.networks;
  }

  get share(): RateLimitShare {
    return { settings: this.settings, networks: this.networks?.buffer ?? null, keys: this.keys.buffer };
  }

  /** Whether a request with this key could be charged at all: a network limit is set, or the key has its own. */
  mayCharge(key: ServerKey | null): boolean {
    return this.networks !== null || (key !== null && key.ratelimit !== null);
  }

  /**
   * Charges a decoded request; returns null when it may be served, else which limit it is over. Under
   * `ratelimit_log_only` it is charged and reported the same way, and `refuse` tells the caller not to refuse it.
   * `now` is seconds since the epoch (the same clock on every thread).
   */
  admit(cmd: number, address: string, key: ServerKey | null, now: number): OverLimit | null {
    if (cmd !== Command.Check && cmd !== Command.Ping && cmd !== Command.Stat) return null;
    // rspamd charges the network first, then the key (FS:1544-1610), and refuses when either is over.
    const network = this.networks ? this.chargeNetwork(address, now) : false;
    const overKey = cmd === Command.Check && key !== null && key.ratelimit !== null && this.chargeKey(key, address, now);
    return network ? 'network' : overKey ? 'key' : null;
  }

  /**
   * rspamd ≥ 3.14 charges every accepted TCP connection to its network's bucket and closes a limited source's
   * connection at once, **even under ratelimit_log_only** (accept_tcp_socket ignores it; §4.2). True: close it.
   */
  admitConnection(address: string, now: number): boolean {
    return this.networks !== null && this.chargeNetwork(address, now);
  }

  /** The network buckets alive now, as the admin API lists them: banned ones have no level. */
  networkStates(now: number): { network: string; level: number | null; created: number; last: number }[] {
    if (!this.networks) return [];
    return this.networks.snapshot(now, this.settings.bucketTtlSeconds).map(({ key, floats }) => ({
      network: SourceNetworks.describe(key),
      level: Number.isNaN(floats[LEVEL]) ? null : floats[LEVEL],
      created: floats[CREATED],
      last: floats[LAST],
    }));
  }

  /** Lifts a network's ban (or forgets its bucket); false when `network` has no bucket or is not one of this mask's. */
  lift(network: string): boolean {
    const key = SourceNetworks.keyOfNetwork(network, this.settings.networkMask);
    return key !== null && this.networks !== null && this.networks.remove(key);
  }

  get refuse(): boolean {
    return !this.settings.logOnly;
  }

  private chargeNetwork(address: string, now: number): boolean {
    const id = this.sources.keyOf(address);
    if (!id) return false;
    const { rate, burst, bucketTtlSeconds } = this.current;
    const result = this.networks!.charge(id, now, bucketTtlSeconds, rate!, burst!, startNetworkBucket, chargeNetworkBucket);
    if (result === TRIPPED) {
      // Once per ban: the bucket stays banned (NaN) and later requests are REFUSED without a log line.
      this.onTrip('rate limit: network banned', { source: address, network: SourceNetworks.describe(id), burst, logOnly: this.settings.logOnly });
    }
    return result !== ALLOWED;
  }

  private chargeKey(key: ServerKey, address: string, now: number): boolean {
    let entry = this.keyLimits.get(key);
    if (entry === undefined) {
      const limit = parseKeyLimit(key.ratelimit);
      entry = limit ? { limit, id: keyTableId(key.publicKey) } : null;
      this.keyLimits.set(key, entry);
    }
    if (!entry) return false;
    const result = this.keys.charge(entry.id, now, 0, entry.limit.rate, entry.limit.burst, startKeyBucket, chargeKeyBucket);
    if (result === TRIPPED) {
      this.onTrip('rate limit: key over its limit', { source: address, key: keyLabel(key), burst: entry.limit.burst, logOnly: this.settings.logOnly });
    }
    return result !== ALLOWED;
  }
}

/**
 * A key's bucket is found by its public key (16 of its 32 bytes), the same on every thread and across dynamic-key
 * reloads: a key that stays keeps its level, a key that goes is evicted once the table needs its slot.
 */
function keyTableId(publicKey: Uint8Array): Int32Array {
  const id = new Int32Array(5);
  id[0] = 0x4b4559; // "KEY": never a network tag (those are family << 8 | prefix)
  new Uint8Array(id.buffer, 4, 16).set(publicKey.subarray(0, 16));
  return id;
}
