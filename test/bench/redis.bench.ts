/**
 * Part "redis" of the UDP benchmark (`npm run bench -- --only=redis`): fuzzyd's Redis backend against rspamd 3.4's own
 * fuzzy worker with its Redis backend, on the same private Redis (no persistence, so Redis's disk is not measured),
 * preloaded with the benchmark's 100k hashes × 32 shingles in rspamd's layout. The same request files and load
 * generator as the SQLite rows. Rows: CHECK plain, CHECK with shingles, WRITE plain and with shingles, one instance
 * each; then two fuzzyd instances on that Redis (the load split over both, half the requests in flight each) against
 * rspamd with `count = 2` (two worker processes, 16 client sockets); and Redis memory per stored hash, from
 * used_memory and `P_count` across each server's WRITE runs.
 *
 * rspamd acknowledges WRITEs before storing them and applies its queue every `sync`; as in the SQLite rows its WRITE
 * figure is the rate at which it then applied the queue to Redis. fuzzyd acknowledges after Redis applied each one.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisBackend } from '../../server/src/fuzzy/redis/redis-backend.js';
import { ShingleBlock } from '../../shared/protocol/shingle-block.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { onCleanup } from './bench-cleanup.js';
import { digestOf, makeDataset, shinglesOf } from './bench-data.js';
import { type BenchFuzzyd, startBenchFuzzyd } from './fuzzyd-bench-server.js';
import { type BenchRspamd, startBenchRspamd } from './rspamd-bench-worker.js';
import { measureCheck, measureFuzzydWrite, measureRspamdWrite, type ScenarioContext, type Target } from './udp-scenarios.js';
import { type Measurement, UDP_PARAMS, type WriteMeasurement } from './udp-types.js';

export interface RedisBenchRow {
  scenario: string;
  fuzzyd: Measurement;
  rspamd: Measurement;
  /** fuzzyd ÷ rspamd (for WRITE: acknowledged-after-apply rate ÷ rspamd's apply rate). */
  ratio: number;
}

export interface RedisBenchResult {
  hashes: number;
  preloadMs: number;
  rows: RedisBenchRow[];
  /** Redis used_memory per stored hash, by who wrote it. */
  memory: { fuzzydShingled: number; fuzzydPlain: number; rspamdShingled: number; rspamdPlain: number };
  durationS: number;
}

const PREFIX = 'fuzzy'; // rspamd's default, which the worker config leaves as is

export async function measureRedis(ctx: ScenarioContext, work: string): Promise<RedisBenchResult> {
  const started = performance.now();
  const redis = await startRedisServer();
  const forget = onCleanup(`redis-server on ${redis.port}`, () => redis.stop());
  const admin = new Redis(redis.port, '127.0.0.1');
  try {
    const preloadMs = await preload(redis, ctx);
    const fuzzyds: BenchFuzzyd[] = [];
    const startFuzzyd = async (): Promise<BenchFuzzyd> => {
      const fz = await startBenchFuzzyd({
        dbPath: join(work, `redis-admin-${fuzzyds.length}.db`),
        durability: 'full',
        env: { FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: redis.url, FUZZYD_REDIS_PREFIX: PREFIX },
      });
      fuzzyds.push(fz);
      return fz;
    };
    const withRspamd = async <T>(count: number, body: (rs: BenchRspamd) => Promise<T>): Promise<T> => {
      const rs = await startBenchRspamd({ redisUrl: redis.url, sync: UDP_PARAMS.rspamdDefaultSync, count });
      try {
        return await body(rs);
      } finally {
        await rs.kill();
      }
    };
    try {
      const fz = await startFuzzyd();
      const f = target(fz, 'fuzzyd redis');
      const rows: RedisBenchRow[] = [];
      await withRspamd(1, async (rs) => {
        const r: Target = { name: 'rspamd redis', port: rs.port, pids: () => rs.pids() };
        for (const kind of ['plain', 'shingles'] as const) {
          const fz1 = await measureCheck(ctx, f, kind);
          const rs1 = await measureCheck(ctx, r, kind);
          const rs2 = await measureCheck(ctx, r, kind);
          const fz2 = await measureCheck(ctx, f, kind);
          rows.push(row(`CHECK ${kind === 'plain' ? 'plain (½ hits)' : 'with 32 shingles'}`, better(fz1, fz2), better(rs1, rs2)));
        }
      });
      const memory = { fuzzydShingled: 0, fuzzydPlain: 0, rspamdShingled: 0, rspamdPlain: 0 };
      for (const kind of ['plain', 'shingles'] as const) {
        const seed = kind === 'plain' ? 31 : 32;
        const [fzWrite, fzBytes] = await perHash(admin, () => measureFuzzydWrite(ctx, f, kind, seed));
        const [rsWrite, rsBytes] = await withRspamd(1, (rs) =>
          perHash(admin, () => measureRspamdWrite(ctx, rs, { name: 'rspamd redis', port: rs.port, pids: () => rs.pids() }, kind, seed + 10)),
        );
        rows.push(writeRow(`WRITE ${kind === 'plain' ? 'plain' : 'with 32 shingles'}`, fzWrite, rsWrite));
        if (kind === 'plain') Object.assign(memory, { fuzzydPlain: fzBytes, rspamdPlain: rsBytes });
        else Object.assign(memory, { fuzzydShingled: fzBytes, rspamdShingled: rsBytes });
      }

      // Two instances: the same offered concurrency as one, split over both.
      const fz2 = await startFuzzyd();
      const f2 = target(fz2, 'fuzzyd redis #2');
      await withRspamd(2, async (rs) => {
        const r: Target = { name: 'rspamd redis count 2', port: rs.port, pids: () => rs.pids() };
        for (const kind of ['plain', 'shingles'] as const) {
          const both = await halfEach(() => Promise.all([measureCheck(ctx, f, kind, { sockets: 8 }), measureCheck(ctx, f2, kind, { sockets: 8 })]));
          const rsm = await measureCheck(ctx, r, kind, { sockets: 16 });
          rows.push(row(`CHECK ${kind === 'plain' ? 'plain' : 'with 32 shingles'}, 2 fuzzyd vs rspamd count 2`, sum(both), rsm));
        }
      });
      const writes = await halfEach(() => Promise.all([measureFuzzydWrite(ctx, f, 'plain', 41), measureFuzzydWrite(ctx, f2, 'plain', 42)]));
      const rsWrite2 = await withRspamd(2, (rs) => measureRspamdWrite(ctx, rs, { name: 'rspamd redis count 2', port: rs.port, pids: () => rs.pids() }, 'plain', 43));
      rows.push(writeRow('WRITE plain, 2 fuzzyd vs rspamd count 2', sum(writes), rsWrite2));
      return { hashes: UDP_PARAMS.preloadedHashes, preloadMs, rows, memory, durationS: Math.round((performance.now() - started) / 1000) };
    } finally {
      for (const fz of fuzzyds) await fz.stop();
    }
  } finally {
    admin.disconnect();
    await redis.stop();
    forget();
  }
}

/** The benchmark's dataset, written through fuzzyd's Redis backend in rspamd's layout (flag and value as the SQLite file). */
async function preload(redis: TestRedis, ctx: ScenarioContext): Promise<number> {
  const t = performance.now();
  const P = UDP_PARAMS;
  const data = makeDataset(P.preloadedHashes, P.seed);
  const store = await RedisBackend.open({ address: redis.url, prefix: PREFIX, expireSeconds: 90 * 86_400 });
  try {
    const batch = 500;
    for (let from = 0; from < data.count; from += batch) {
      const ops = [];
      for (let i = from; i < Math.min(from + batch, data.count); i++) {
        ops.push(
          store.update({ kind: 'write', rule: 'single', digest: digestOf(data, i), flag: 1 + (i % 3), value: 1 + (i % 100), shingles: new ShingleBlock(Buffer.from(shinglesOf(data, i))) }),
        );
      }
      await Promise.all(ops);
    }
  } finally {
    await store.close();
  }
  const ms = Math.round(performance.now() - t);
  ctx.log(`redis: ${P.preloadedHashes} hashes × 32 shingles written to Redis in ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

const target = (fz: BenchFuzzyd, name: string): Target => ({ name, port: fz.port, pids: () => [fz.pid] });

/** used_memory and P_count around `run`: bytes per hash it added. */
async function perHash<T>(admin: Redis, run: () => Promise<T>): Promise<[T, number]> {
  const read = async (): Promise<[number, number]> => {
    const info = await admin.info('memory');
    const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
    return [used, Number((await admin.get(`${PREFIX}_count`)) ?? 0)];
  };
  const [usedBefore, countBefore] = await read();
  const result = await run();
  const [usedAfter, countAfter] = await read();
  return [result, countAfter > countBefore ? Math.round((usedAfter - usedBefore) / (countAfter - countBefore)) : 0];
}

/** Runs `body` with half the usual requests in flight per generator, so two generators offer what one does. */
async function halfEach<T>(body: () => Promise<T>): Promise<T> {
  const inflight = UDP_PARAMS.inflight;
  UDP_PARAMS.inflight = Math.max(1, Math.floor(inflight / 2));
  try {
    return await body();
  } finally {
    UDP_PARAMS.inflight = inflight;
  }
}

function better(a: Measurement, b: Measurement): Measurement {
  return { ...(a.rps >= b.rps ? a : b), runsRps: [a.rps, b.rps] };
}

/** Two generators' figures as one server's: rates and losses add up, latencies are the worse of the two. */
function sum(ms: Measurement[]): Measurement {
  const [a, b] = ms;
  return { ...a, rps: a.rps + b.rps, replies: a.replies + b.replies, lost: a.lost + b.lost, unexpected: a.unexpected + b.unexpected, p50: Math.max(a.p50, b.p50), p99: Math.max(a.p99, b.p99), p999: Math.max(a.p999, b.p999), max: Math.max(a.max, b.max), runsRps: [a.rps, b.rps] };
}

function row(scenario: string, fuzzyd: Measurement, rspamd: Measurement): RedisBenchRow {
  return { scenario, fuzzyd, rspamd, ratio: rspamd.rps > 0 ? fuzzyd.rps / rspamd.rps : 0 };
}

function writeRow(scenario: string, fuzzyd: WriteMeasurement | Measurement, rspamd: WriteMeasurement): RedisBenchRow {
  const applied = rspamd.applyRate ?? 0;
  return { scenario, fuzzyd, rspamd, ratio: applied > 0 ? fuzzyd.rps / applied : 0 };
}

/** The README's table. */
export function redisMarkdown(r: RedisBenchResult): string {
  const ms = (us: number): string => (us / 1000).toFixed(1);
  const fmt = (m: Measurement): string => `${Math.round(m.rps / 100) / 10}k/s, p99 ${ms(m.p99)} ms${m.lost ? `, ${m.lost} lost` : ''}`;
  const lines = ['| Redis backend | fuzzyd | rspamd 3.4 | fuzzyd ÷ rspamd |', '| --- | --- | --- | --- |'];
  for (const x of r.rows) {
    const applyRate = (x.rspamd as WriteMeasurement).applyRate;
    const applied = applyRate === undefined ? 'its queue not applied within 180 s' : `applied ${Math.round(applyRate / 100) / 10}k/s`;
    const rs = x.scenario.startsWith('WRITE') ? `${fmt(x.rspamd)} acknowledged; ${applied}` : fmt(x.rspamd);
    lines.push(`| ${x.scenario} | ${fmt(x.fuzzyd)} | ${rs} | ${x.ratio > 0 ? `${x.ratio.toFixed(2)}×` : '—'} |`);
  }
  const m = r.memory;
  const bytes = (n: number): string => (n > 0 ? `${n}` : 'n/a');
  lines.push(`| Redis memory per stored hash, 32 shingles / none | ${bytes(m.fuzzydShingled)} / ${bytes(m.fuzzydPlain)} bytes | ${bytes(m.rspamdShingled)} / ${bytes(m.rspamdPlain)} bytes | |`);
  return lines.join('\n');
}
