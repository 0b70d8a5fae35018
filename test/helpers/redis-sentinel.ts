import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type TestRedis } from './redis-server.js';
import { tempDir } from './temp-dir.js';
import { until } from './until.js';

/**
 * A private Redis Sentinel setup on loopback: a primary, replicas and sentinels (`redis-server <conf> --sentinel`),
 * every data server with `appendonly yes` and `appendfsync always`. Resolves once every sentinel sees the primary,
 * every replica and the other sentinels, so a failover can start as soon as the primary is gone.
 */
export interface SentinelSetup {
  masterName: string;
  /** `host:port` of each sentinel, as FUZZYD_REDIS_SENTINELS takes them. */
  sentinels: string;
  /** The data servers, the first being the initial primary. */
  servers: TestRedis[];
  /** The port the sentinels name as primary now. */
  primaryPort(): Promise<number>;
  /** Resolves when the sentinels name another primary than `port` (a failover finished). */
  failedOverFrom(port: number, limitMs?: number): Promise<number>;
  stop(): Promise<void>;
}

const MASTER = 'fuzzyd';

export async function startSentinelSetup({ replicas = 2, sentinels = 3 } = {}): Promise<SentinelSetup> {
  const dir = tempDir('fuzzyd-sentinel-');
  const sub = (name: string): string => {
    mkdirSync(dir.file(name));
    return dir.file(name);
  };
  const primary = await startRedisServer({ persistDir: sub('primary') });
  const servers = [primary];
  for (let i = 0; i < replicas; i++) {
    servers.push(await startRedisServer({ persistDir: sub(`replica-${i}`), extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)] }));
  }
  const admin = new Redis(primary.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  await until('replicas in sync', async () => (await admin.info('replication')).match(/^slave\d+:.*state=online/gm)?.length === replicas);
  admin.disconnect();

  const quorum = Math.floor(sentinels / 2) + 1;
  const watchers: TestRedis[] = [];
  for (let i = 0; i < sentinels; i++) {
    const conf = join(sub(`sentinel-${i}`), 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `sentinel monitor ${MASTER} 127.0.0.1 ${primary.port} ${quorum}`,
        // Short on purpose: the test waits for the failover, and a loaded machine must not fake a failure.
        `sentinel down-after-milliseconds ${MASTER} 1000`,
        `sentinel failover-timeout ${MASTER} 10000`,
        `sentinel parallel-syncs ${MASTER} ${replicas}`,
        '',
      ].join('\n'),
    );
    watchers.push(await startRedisServer({ configFile: conf, extraArgs: ['--sentinel'], readyTimeoutMs: 20_000 }));
  }
  const ask = async <T>(port: number, ...args: string[]): Promise<T> => {
    const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await c.connect();
      return (await c.call('SENTINEL', ...args)) as T;
    } finally {
      c.disconnect();
    }
  };
  for (const w of watchers) {
    await until(`sentinel ${w.port} knows the topology`, async () => {
      const known = await ask<unknown[]>(w.port, 'replicas', MASTER);
      const peers = await ask<unknown[]>(w.port, 'sentinels', MASTER);
      return known.length === replicas && peers.length === sentinels - 1;
    });
  }
  const primaryPort = async (): Promise<number> => {
    for (const w of watchers) {
      try {
        return Number((await ask<string[]>(w.port, 'get-master-addr-by-name', MASTER))[1]);
      } catch {
        // that sentinel may be busy; ask the next
      }
    }
    throw new Error('no sentinel answered');
  };
  return {
    masterName: MASTER,
    sentinels: watchers.map((w) => `127.0.0.1:${w.port}`).join(','),
    servers,
    primaryPort,
    failedOverFrom: async (port, limitMs = 60_000) => {
      let now = port;
      await until(`a failover from ${port}`, async () => (now = await primaryPort()) !== port, limitMs, 100);
      return now;
    },
    stop: async () => {
      for (const w of watchers) await w.stop();
      for (const s of servers) await s.stop();
      dir.remove();
    },
  };
}
