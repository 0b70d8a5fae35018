/**
 * Client-side cost of the Redis backend alone, without UDP: `node dist/test/bench/redis-client-cost.js [seconds] [name part]`
 * (add `--cpu-prof` to node for a profile). A private Redis, 20k hashes × 32 shingles written through the backend, then
 * each kind of request with 64 in flight: the rate and this process's CPU per request (user + system), which is what
 * the UDP benchmark's fuzzyd spends on Redis besides the protocol, then Redis's own time per command. Not part of
 * `npm run bench`: a tool for profiling (docs/spec/redis.md §5).
 */
import { Redis } from 'ioredis';
import { RedisBackend } from '../../server/src/fuzzy/redis/redis-backend.js';
import { ShingleBlock } from '../../shared/protocol/shingle-block.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { CHANGED_POSITIONS, digestOf, makeDataset, Prng, shinglesOf } from './bench-data.js';

const HASHES = 20_000;
const IN_FLIGHT = 64;

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 3);
  const redis = await startRedisServer();
  const store = await RedisBackend.open({ address: redis.url, prefix: 'fuzzy', expireSeconds: 86_400 });
  try {
    const data = makeDataset(HASHES, 7);
    const prng = new Prng(11);
    const block = (i: number): ShingleBlock => new ShingleBlock(Buffer.from(shinglesOf(data, i)));
    let next = 0;
    await run('preload (WRITE with shingles)', HASHES / 4, () => {
      const i = next++ % HASHES;
      return store.update({ kind: 'write', rule: 'single', digest: digestOf(data, i), flag: 1, value: 1, shingles: block(i) });
    });
    const rest = Array.from({ length: HASHES - HASHES / 4 }, (_, k) => k + HASHES / 4);
    await Promise.all(rest.map((i) => store.update({ kind: 'write', rule: 'single', digest: digestOf(data, i), flag: 1, value: 1, shingles: block(i) })));
    const plain = (): Promise<unknown> =>
      store.check(prng.below(2) === 0 ? digestOf(data, prng.below(HASHES)) : prng.bytes(64), null);
    const fuzzy = (): Promise<unknown> => {
      const kind = prng.below(3);
      const i = prng.below(HASHES);
      if (kind === 0) return store.check(digestOf(data, i), block(i));
      if (kind === 1) {
        const b = Buffer.from(shinglesOf(data, i));
        for (let c = 0; c < CHANGED_POSITIONS; c++) prng.bytes(8).copy(b, prng.below(32) * 8);
        return store.check(prng.bytes(64), new ShingleBlock(b));
      }
      return store.check(prng.bytes(64), new ShingleBlock(prng.bytes(256)));
    };
    const write = (shingles: boolean) => (): Promise<unknown> =>
      store.update({ kind: 'write', rule: 'single', digest: prng.bytes(64), flag: 1, value: 1, shingles: shingles ? new ShingleBlock(prng.bytes(256)) : null });
    await timed('CHECK plain (½ hits)', seconds, plain);
    await timed('CHECK with 32 shingles', seconds, fuzzy);
    await timed('WRITE plain', seconds, write(false));
    await timed('WRITE with 32 shingles', seconds, write(true));
    // Redis's own time per command (usec_per_call), which the client's CPU above does not include.
    const admin = new Redis(redis.port, '127.0.0.1');
    const stats = await admin.info('commandstats');
    admin.disconnect();
    for (const line of stats.split('\n')) if (/^cmdstat_(hmget|mget|evalsha|eval|wait):/.test(line)) console.log(line.trim());
  } finally {
    await store.close();
    await redis.stop();
  }
}

/** `count` requests, IN_FLIGHT at a time. */
async function run(name: string, count: number, one: () => Promise<unknown>): Promise<void> {
  let issued = 0;
  const lane = async (): Promise<void> => {
    while (issued < count) {
      issued++;
      await one();
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  console.log(`${name}: ${count} in ${Math.round(performance.now() - t)} ms`);
}

async function timed(name: string, seconds: number, one: () => Promise<unknown>): Promise<void> {
  const only = process.argv[3];
  if (only && !name.toLowerCase().includes(only.toLowerCase())) return;
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < end) {
      await one();
      done++;
    }
  };
  const cpu = process.cpuUsage();
  const t = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - t;
  const us = (used.user + used.system) / done;
  console.log(`${name}: ${Math.round(done / (ms / 1000))}/s, ${us.toFixed(1)} µs client CPU per request`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
