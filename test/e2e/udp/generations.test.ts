/**
 * What each client generation gets over real UDP (docs/spec/fuzzy-protocol.md §3.2, §6, §6.4; fuzzy-storage.md §3.4),
 * on both backends: 3.x clients (version 3/4) keep 3.4's single-flag view and codes, 4.x clients (0x14, then 5) get
 * multi-flag replies and rspamd 4.x's multi-flag WRITE rule. Real rspamd of each generation runs the same ground in
 * test/interop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest, type DecodedReply } from '../../../shared/protocol/codec.js';
import type { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { nearDuplicate, randomDigest, randomShingles } from '../../helpers/fuzzy-data.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

const V3X = 4;
const V4X_FIRST = 0x14;
const V4X = 5;

let tag = 1;

interface Ask {
  version: number;
  flag?: number;
  value?: number;
  shingles?: ShingleBlock;
  from?: string;
}

describe.each(['sqlite', 'redis'] as const)('protocol generations on the %s backend', (backend) => {
  let fuzzyd: TestFuzzyd;
  let redis: TestRedis | null = null;
  const dir = tempDir();
  const skipped = randomDigest();

  async function send(cmd: number, digest: Buffer, ask: Ask, port = fuzzyd.udpPort): Promise<{ bytes: number; reply: DecodedReply }> {
    const datagram = encodeRequest({ cmd, digest, tag: tag++, version: ask.version, flag: ask.flag, value: ask.value, shingles: ask.shingles });
    const raw = await udpExchange(datagram, port, { from: ask.from, timeoutMs: 2000 });
    expect(raw, `no reply to cmd ${cmd} v0x${ask.version.toString(16)}`).not.toBeNull();
    return { bytes: raw!.length, reply: decodeReply(raw!) };
  }
  const write = (digest: Buffer, flag: number, value: number, version: number, shingles?: ShingleBlock) =>
    send(Command.Write, digest, { version, flag, value, shingles });
  const check = (digest: Buffer, version: number, shingles?: ShingleBlock) => send(Command.Check, digest, { version, shingles });

  beforeAll(async () => {
    writeFileSync(dir.file('skip.txt'), `${skipped.toString('hex')}\n`);
    const env: Record<string, string> = { FUZZYD_ALLOW_UPDATE: '127.0.0.1/32', FUZZYD_SKIP_HASHES: dir.file('skip.txt') };
    if (backend === 'redis') {
      redis = await startRedisServer();
      Object.assign(env, { FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: redis.url, FUZZYD_REDIS_PREFIX: 'gen' });
    }
    fuzzyd = await startTestFuzzyd(env);
  });
  afterAll(async () => {
    await fuzzyd?.close();
    await redis?.stop();
    dir.remove();
  });

  it('answers each generation with its reply size: 16 for v3, 96 for 4, 144 for 0x14 and 5', async () => {
    const digest = randomDigest();
    expect((await check(digest, 3)).bytes).toBe(16);
    expect((await check(digest, V3X)).bytes).toBe(96);
    expect((await check(digest, V4X_FIRST)).bytes).toBe(144);
    expect((await check(digest, V4X)).bytes).toBe(144);
    // Unknown high bits are ignored, not fatal.
    expect((await check(digest, 0x44)).bytes).toBe(96);
  });

  it('4.x: a second flag on a digest is kept beside the first, and a 4.x CHECK lists both', async () => {
    const digest = randomDigest();
    expect((await write(digest, 50, 10, V4X_FIRST)).reply).toMatchObject({ value: 0, prob: 1, flag: 50 });
    await write(digest, 51, 4, V4X);
    const { bytes, reply } = await check(digest, V4X);
    expect(bytes).toBe(144);
    expect(reply).toMatchObject({ prob: 1, flag: 50, value: 10, matched: true, extraFlags: [{ flag: 51, value: 4 }] });
  });

  it('4.x: values add up per flag, and the highest value moves into the primary slot', async () => {
    const digest = randomDigest();
    await write(digest, 1, 5, V4X);
    await write(digest, 2, 3, V4X);
    await write(digest, 2, 4, V4X);
    const { reply } = await check(digest, V4X);
    expect(reply).toMatchObject({ flag: 2, value: 7, extraFlags: [{ flag: 1, value: 5 }] });
  });

  it('3.x clients see only the primary slot, in the 96-byte reply', async () => {
    const digest = randomDigest();
    await write(digest, 50, 10, V4X);
    await write(digest, 51, 20, V4X);
    const { bytes, reply } = await check(digest, V3X);
    expect(bytes).toBe(96);
    expect(reply).toMatchObject({ flag: 51, value: 20, extraFlags: [] });
  });

  it('3.x: another flag re-flags the digest with the new weight, as rspamd 3.4 does', async () => {
    const digest = randomDigest();
    await write(digest, 1, 10, V3X);
    await write(digest, 1, 5, V3X);
    expect((await check(digest, V3X)).reply).toMatchObject({ flag: 1, value: 15 });
    await write(digest, 3, 2, V3X);
    expect((await check(digest, V3X)).reply).toMatchObject({ flag: 3, value: 2 });
    expect((await check(digest, V4X)).reply).toMatchObject({ flag: 3, value: 2, extraFlags: [] });
  });

  it('4.x: a 9th flag replaces the lowest value only when it is larger', async () => {
    const digest = randomDigest();
    for (let f = 1; f <= 8; f++) await write(digest, f, 10 * f, V4X);
    await write(digest, 9, 5, V4X);
    let flags = (await check(digest, V4X)).reply;
    expect([flags.flag, ...flags.extraFlags.map((s) => s.flag)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await write(digest, 9, 15, V4X);
    flags = (await check(digest, V4X)).reply;
    const all = [{ flag: flags.flag, value: flags.value }, ...flags.extraFlags];
    expect(all).toHaveLength(8);
    expect(all.find((s) => s.flag === 1)).toBeUndefined();
    expect(all.find((s) => s.flag === 9)).toEqual({ flag: 9, value: 15 });
    expect(flags).toMatchObject({ flag: 8, value: 80 });
  });

  it('a DEL removes the digest with all its flags, whatever flag it carries, and its shingles stop matching', async () => {
    const digest = randomDigest();
    const shingles = randomShingles();
    await write(digest, 50, 10, V4X, shingles);
    await write(digest, 51, 10, V4X);
    expect((await check(randomDigest(), V4X, nearDuplicate(shingles, 3))).reply.prob).toBeGreaterThan(0.5);
    expect((await send(Command.Del, digest, { version: V4X, flag: 50, value: 1 })).reply).toMatchObject({ value: 0, prob: 1 });
    expect((await check(digest, V4X)).reply).toMatchObject({ prob: 0, value: 0, extraFlags: [], matched: false });
    expect((await check(randomDigest(), V4X, nearDuplicate(shingles, 3))).reply.prob).toBe(0);
  });

  it('a shingle hit carries the stored digest, its flags and MATCHED_DIGEST; a miss carries neither', async () => {
    const stored = randomDigest();
    const shingles = randomShingles();
    await write(stored, 50, 10, V4X, shingles);
    await write(stored, 51, 2, V4X);
    const near = await check(randomDigest(), V4X, nearDuplicate(shingles, 4));
    expect(near.reply.prob).toBeCloseTo(28 / 32);
    expect(near.reply.digest.equals(stored)).toBe(true);
    expect(near.reply).toMatchObject({ flag: 50, matched: true, extraFlags: [{ flag: 51, value: 2 }] });
    const v96 = await check(randomDigest(), V3X, nearDuplicate(shingles, 4));
    expect(v96.reply).toMatchObject({ flag: 50, matched: true, extraFlags: [] });
    expect((await check(randomDigest(), V4X)).reply.matched).toBe(false);
  });

  it('weights that add up past the signed 32-bit range stay at its top instead of wrapping negative', async () => {
    const digest = randomDigest();
    await write(digest, 1, 0x7fffffff, V3X);
    await write(digest, 1, 5, V3X);
    expect((await check(digest, V3X)).reply).toMatchObject({ flag: 1, value: 0x7fffffff });
    await write(digest, 2, 0x7fffffff, V4X);
    await write(digest, 2, 0x7fffffff, V4X);
    expect((await check(digest, V4X)).reply.extraFlags).toEqual([{ flag: 2, value: 0x7fffffff }]);
  });

  it('STAT splits the 64-bit count into value (high) and flag (low) with prob 1, in every generation', async () => {
    for (const version of [3, V3X, V4X_FIRST, V4X]) {
      const { reply } = await send(Command.Stat, Buffer.alloc(64), { version });
      expect(reply.value).toBe(0);
      expect(reply.flag).toBeGreaterThan(0);
      expect(reply.prob).toBe(1);
    }
  });

  it('refusals: a 4.x client gets 503 for a write it may not make, a 3.x client 403 (reply_codes auto)', async () => {
    const digest = randomDigest();
    const v4x = await send(Command.Write, digest, { version: V4X_FIRST, flag: 1, value: 1, from: '127.0.0.5' });
    expect(v4x.reply).toMatchObject({ value: 503, prob: 0, flag: 1 });
    expect(v4x.bytes).toBe(144);
    const v3x = await send(Command.Del, digest, { version: V3X, flag: 1, from: '127.0.0.5' });
    expect(v3x.reply).toMatchObject({ value: 403, prob: 0 });
    expect((await check(digest, V4X)).reply.prob).toBe(0);
  });

  it('skip_hashes: a WRITE is answered 401, and a CHECK that matches a skipped digest too (rspamd ≥ 3.13)', async () => {
    expect((await write(skipped, 1, 1, V4X)).reply).toMatchObject({ value: 401, prob: 0 });
    // Stored before the map listed it (here: through the store itself, as the admin API or another server would).
    const shingles = randomShingles();
    await fuzzyd.runtime.backend.update({ kind: 'write', rule: 'multi', digest: skipped, flag: 1, value: 5, shingles });
    expect((await check(skipped, V4X)).reply).toMatchObject({ value: 401, prob: 0, matched: false });
    expect((await check(randomDigest(), V3X, nearDuplicate(shingles, 2))).reply).toMatchObject({ value: 401, prob: 0 });
  });
});

describe('reply codes across generations', () => {
  let fuzzyd: TestFuzzyd;
  let current: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({ FUZZYD_ENCRYPTED_ONLY: 'true', FUZZYD_KEYPAIR: KEYPAIR });
    current = await startTestFuzzyd({ FUZZYD_REPLY_CODES: '3.10', FUZZYD_ALLOW_UPDATE: '10.9.9.9' });
  });
  afterAll(async () => {
    await fuzzyd?.close();
    await current?.close();
  });

  it('encrypted_only: plaintext from a 4.x client gets 415, from a 3.x client 403', async () => {
    const request = (version: number) => encodeRequest({ cmd: Command.Check, digest: randomDigest(), tag: 9, version });
    expect(decodeReply((await udpExchange(request(V4X_FIRST), fuzzyd.udpPort))!)).toMatchObject({ value: 415, prob: 0 });
    expect(decodeReply((await udpExchange(request(V3X), fuzzyd.udpPort))!)).toMatchObject({ value: 403, prob: 0 });
  });

  it('FUZZYD_REPLY_CODES=3.10 gives 3.x clients the 3.10 codes too (503 for a refused write)', async () => {
    const request = encodeRequest({ cmd: Command.Write, digest: randomDigest(), tag: 9, version: V3X, flag: 2, value: 1 });
    expect(decodeReply((await udpExchange(request, current.udpPort))!)).toMatchObject({ value: 503, prob: 0, flag: 2 });
  });
});

/** A server keypair in rspamd's base32 (the same one the encryption tests in udp-access.test.ts use). */
const KEYPAIR = 'ekd3x36tfa5gd76t6pa8hqif3ott7n1siuux68exbkk7ukscte9y:m8kneubpcjsb8sbsoj7jy7azj9fdd3xmj63txni86a8ye9ncomny';
