import type { Redis } from 'ioredis';
import { within } from '../../common/within.js';
import { connectedServer, createRedisClient } from '../../common/redis-client.js';
import type { RedisAddress } from '../../config/redis-address.js';
import { redactRedisUrl } from '../../neural/redis/redis-unavailable.error.js';

/** One Redis server as /health and the dashboard show it. */
export interface RedisServerState {
  role: 'primary' | 'replica';
  /** host:port it is connected to (for Sentinel: the primary the sentinels named), else the configured address. */
  address: string;
  reachable: boolean;
  /** How it was found: `sentinel <master>` or `configured`. */
  via: string;
}

/**
 * The fuzzy store's connections: the primary, which takes every write and the read before it, and the replicas of
 * `read_servers`, which take CHECKs and STAT when connected. Reads fall back to the primary, so replicas being down
 * costs nothing but their share of the load. Under Sentinel, a primary that is no longer one is found within
 * `sentinel_watch_time` even if no command failed (ROLE), besides `+switch-master` and READONLY (redis-client.ts).
 */
export class RedisServers {
  readonly primary: Redis;
  private readonly replicas: { client: Redis; server: string }[];
  private next = 0;
  private readonly watch: NodeJS.Timeout | null = null;

  constructor(
    private readonly address: RedisAddress | string,
    onError?: (err: Error) => void,
  ) {
    this.primary = createRedisClient(address, { name: 'fuzzyd-store', autoPipelining: true, onError, commandTimeout: true });
    const t = typeof address === 'string' ? null : address.topology;
    this.replicas =
      t?.kind === 'server'
        ? t.replicas.map((server) => ({
            server,
            client: createRedisClient(address, { name: 'fuzzyd-store-read', autoPipelining: true, onError, commandTimeout: true, replica: server }),
          }))
        : [];
    if (t?.kind === 'sentinel') {
      this.watch = setInterval(() => void this.checkRole(), t.watchSeconds * 1000);
      this.watch.unref();
    }
  }

  /** Connects the primary (its failure fails the start); replicas connect in the background and may come later. */
  async connect(): Promise<void> {
    for (const r of this.replicas) r.client.connect().catch(() => undefined);
    await this.primary.connect();
  }

  /** A connected replica, round-robin, else the primary. */
  reader(): Redis {
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[(this.next + i) % this.replicas.length];
      if (r.client.status === 'ready') {
        this.next = (this.next + i + 1) % this.replicas.length;
        return r.client;
      }
    }
    return this.primary;
  }

  /**
   * Every server's state, each asked for a PING within `timeoutMs`: a Redis that holds its connections open and answers
   * nothing (hung, partitioned) is reported unreachable, not merely connected.
   */
  async probe(timeoutMs = 1000): Promise<RedisServerState[]> {
    const clients = [this.primary, ...this.replicas.map((r) => r.client)];
    const answered = await Promise.all(clients.map((c) => (c.status === 'ready' ? pingWithin(c, timeoutMs) : false)));
    return this.states().map((s, i) => ({ ...s, reachable: answered[i] }));
  }

  private states(): RedisServerState[] {
    const t = typeof this.address === 'string' ? null : this.address.topology;
    const configured = t?.kind === 'server' ? t.primary : typeof this.address === 'string' ? this.address : '';
    const primary: RedisServerState = {
      role: 'primary',
      address: connectedServer(this.primary) ?? (t?.kind === 'sentinel' ? `(asking sentinels for ${t.masterName})` : redactRedisUrl(configured)),
      reachable: this.primary.status === 'ready',
      via: t?.kind === 'sentinel' ? `sentinel ${t.masterName}` : 'configured',
    };
    const replicas = this.replicas.map((r): RedisServerState => ({
      role: 'replica',
      address: connectedServer(r.client) ?? redactRedisUrl(r.server),
      reachable: r.client.status === 'ready',
      via: 'read_servers',
    }));
    return [primary, ...replicas];
  }

  /** A primary that turned replica without this client noticing (no failed command yet): reconnect through Sentinel. */
  private async checkRole(): Promise<void> {
    if (this.primary.status !== 'ready') return;
    try {
      const role = (await this.primary.call('ROLE')) as unknown[];
      if (role[0] !== 'master') this.primary.disconnect(true);
    } catch {
      // A failing connection reconnects by itself.
    }
  }

  async close(): Promise<void> {
    if (this.watch) clearInterval(this.watch);
    for (const r of this.replicas) r.client.disconnect();
    await this.primary.quit().catch(() => this.primary.disconnect());
  }
}

function pingWithin(client: Redis, timeoutMs: number): Promise<boolean> {
  return within(client.ping().then((pong) => pong === 'PONG'), timeoutMs, () => new Error('no PONG')).catch(() => false);
}
