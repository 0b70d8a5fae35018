import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HashDetail, ImportResult, Problem } from '../../../shared/api/api-types.js';
import { ADMIN_TOKEN, apiHarnesses, type TestFuzzyd, hexDigest } from './api-harness.js';

const harnesses = apiHarnesses();
const start = harnesses.start;

function shingles(): string[] {
  return Array.from({ length: 32 }, () => randomBytes(8).readBigUInt64LE(0).toString());
}

async function importLines(api: TestFuzzyd, body: string, query = '', contentType = 'application/x-ndjson'): Promise<ImportResult> {
  const r = await api.request('POST', `/api/v1/hashes/import${query}`, { payload: body, contentType });
  expect(r.statusCode).toBe(200);
  return JSON.parse(r.body) as ImportResult;
}

async function exportLines(api: TestFuzzyd, query = ''): Promise<Record<string, unknown>[]> {
  const r = await api.request('GET', `/api/v1/hashes/export${query}`);
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toContain('application/x-ndjson');
  return r.body
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('POST /api/v1/hashes/import (JSON Lines)', () => {
  it('counts added, updated and rejected, with the line numbers and reasons of rejects', async () => {
    const api = await start();
    const a = hexDigest();
    const b = hexDigest();
    const body = [
      JSON.stringify({ digest: a, flag: 1, value: 10 }),
      '',
      JSON.stringify({ digest: b, flag: 2, value: 3, shingles: shingles() }),
      '{not json',
      JSON.stringify({ digest: 'abc', flag: 1, value: 1 }),
      JSON.stringify({ digest: a, flag: 1, value: 5 }),
      JSON.stringify({ digest: hexDigest(), flag: 999, value: 1 }),
      '[1,2]',
      `${JSON.stringify({ digest: hexDigest(), flag: 4, value: 1 })}\r`,
      JSON.stringify({ digest: hexDigest(), flag: 4, value: 1, shingles: ['1', '2'] }),
      JSON.stringify({ digest: hexDigest(), flag: 4, value: 1, time: 5 }),
    ].join('\n');
    const result = await importLines(api, body);
    expect(result).toMatchObject({ added: 4, updated: 1, rejected: 5, lines: 10 });
    expect(result.rejects.map((r) => r.line)).toEqual([4, 5, 7, 8, 10]);
    expect(result.rejects[0].error).toMatch(/^line: invalid JSON/);
    expect(result.rejects[1].error).toMatch(/^digest: /);
    expect(result.rejects[2].error).toMatch(/^flag: /);
    expect(result.rejects[3].error).toMatch(/^line: must be a JSON object/);
    expect(result.rejects[4].error).toMatch(/^shingles: /);
    expect(api.runtime.backend.get(Buffer.from(a, 'hex'))).toMatchObject({ flag: 1, value: 15 });
    const detail = JSON.parse((await api.request('GET', `/api/v1/hashes/${b}`)).body) as HashDetail;
    expect(detail.shingles).toHaveLength(32);
  });

  it('mode=replace sets flag and weight of existing hashes instead of adding', async () => {
    const api = await start();
    const a = hexDigest();
    await importLines(api, JSON.stringify({ digest: a, flag: 1, value: 10 }));
    const result = await importLines(api, JSON.stringify({ digest: a, flag: 1, value: 4 }), '?mode=replace');
    expect(result).toMatchObject({ added: 0, updated: 1, rejected: 0 });
    expect(api.runtime.backend.get(Buffer.from(a, 'hex'))).toMatchObject({ value: 4 });
    const bad = await api.request('POST', '/api/v1/hashes/import?mode=merge', { payload: '', contentType: 'application/x-ndjson' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ field: 'mode' });
  });

  it('takes 100k lines in one request, streamed over real HTTP in small chunks', async () => {
    const api = await start();
    const lines = Array.from({ length: 100_000 }, (_, i) => JSON.stringify({ digest: hexDigest(), flag: (i % 5) + 1, value: 1 }));
    const text = `${lines.join('\n')}\n`;
    const r = await fetch(`http://127.0.0.1:${api.httpPort}/api/v1/hashes/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: new ReadableStream({
        start(controller) {
          const bytes = Buffer.from(text);
          // Chunks that cut lines (and multi-byte characters, were there any) anywhere.
          for (let at = 0; at < bytes.length; at += 65_521) controller.enqueue(bytes.subarray(at, at + 65_521));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(200);
    const result = (await r.json()) as ImportResult;
    expect(result).toMatchObject({ added: 100_000, updated: 0, rejected: 0, lines: 100_000 });
    expect(api.runtime.backend.count()).toBe(100_000);
  }, 120_000);

  it('caps the listed rejects at 1000 but counts them all', async () => {
    const api = await start();
    const result = await importLines(api, Array.from({ length: 1500 }, () => '{"digest":"x"}').join('\n'));
    expect(result.rejected).toBe(1500);
    expect(result.rejects).toHaveLength(1000);
    expect(result.rejects[999].line).toBe(1000);
  });

  it('a line over 16 KiB is rejected without stopping the import', async () => {
    const api = await start();
    const body = [`{"pad":"${'x'.repeat(20_000)}"}`, JSON.stringify({ digest: hexDigest(), flag: 1, value: 1 })].join('\n');
    const result = await importLines(api, body);
    expect(result).toMatchObject({ added: 1, rejected: 1, rejects: [{ line: 1 }] });
  });

  it('refuses a JSON body (415 problem) and needs a write token', async () => {
    const api = await start();
    const json = await api.request('POST', '/api/v1/hashes/import', { body: [{ digest: hexDigest(), flag: 1, value: 1 }] });
    expect(json.statusCode).toBe(415);
    expect((JSON.parse(json.body) as Problem).detail).toMatch(/application\/x-ndjson/);
    const token = JSON.parse((await api.request('POST', '/api/v1/tokens', { body: { name: 'ro', scope: 'read' } })).body).token;
    const denied = await api.request('POST', '/api/v1/hashes/import', { token, payload: '', contentType: 'application/x-ndjson' });
    expect(denied.statusCode).toBe(403);
  });
});

describe('import lines with flags', () => {
  const flagsOf = async (api: TestFuzzyd, digest: string): Promise<[number, number][]> =>
    (JSON.parse((await api.request('GET', `/api/v1/hashes/${digest}`)).body) as HashDetail).flags.map((f) => [f.flag, f.value]);

  it('mode add writes each slot by the rspamd 4.x rule onto an existing hash; a new hash takes the slots as listed', async () => {
    const api = await start();
    const existing = hexDigest();
    const fresh = hexDigest();
    await importLines(api, JSON.stringify({ digest: existing, flag: 1, value: 10 }));
    const result = await importLines(
      api,
      [
        JSON.stringify({ digest: existing, flags: [{ flag: 1, value: 5 }, { flag: 2, value: 30 }] }),
        JSON.stringify({ digest: fresh, flags: [{ flag: 3, value: 1 }, { flag: 4, value: 9 }], shingles: shingles() }),
      ].join('\n'),
    );
    expect(result).toMatchObject({ added: 1, updated: 1, rejected: 0 });
    // Flag 1's weight added up; flag 2 took a slot and, being the highest, the primary one.
    expect(await flagsOf(api, existing)).toEqual([[2, 30], [1, 15]]);
    expect(await flagsOf(api, fresh)).toEqual([[3, 1], [4, 9]]);
    expect((JSON.parse((await api.request('GET', `/api/v1/hashes/${fresh}`)).body) as HashDetail).shingles).toHaveLength(32);
  });

  it('mode replace sets every slot from flags; a line without flags still sets only the primary slot', async () => {
    const api = await start();
    const a = hexDigest();
    const b = hexDigest();
    await importLines(api, [a, b].map((digest) => JSON.stringify({ digest, flags: [{ flag: 1, value: 10 }, { flag: 2, value: 3 }] })).join('\n'));
    const result = await importLines(
      api,
      [JSON.stringify({ digest: a, flags: [{ flag: 5, value: 1 }] }), JSON.stringify({ digest: b, flag: 7, value: 2 })].join('\n'),
      '?mode=replace',
    );
    expect(result).toMatchObject({ added: 0, updated: 2, rejected: 0 });
    expect(await flagsOf(api, a)).toEqual([[5, 1]]);
    expect(await flagsOf(api, b)).toEqual([[7, 2], [2, 3]]);
  });

  it('rejects bad flags and a flag/value that disagrees with flags[0], naming the field', async () => {
    const api = await start();
    const digest = hexDigest();
    const lines = [
      { digest, flags: [] },
      { digest, flags: [{ flag: 1, value: 1 }, { flag: 1, value: 2 }] },
      { digest, flags: [{ flag: 300, value: 1 }] },
      { digest, flags: Array.from({ length: 9 }, (_, i) => ({ flag: i, value: 1 })) },
      { digest, flag: 2, flags: [{ flag: 1, value: 1 }] },
      { digest, value: 2, flags: [{ flag: 1, value: 1 }] },
      { digest, flag: 1, value: 1, flags: [{ flag: 1, value: 1 }], time: 1 },
    ];
    const result = await importLines(api, lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(result).toMatchObject({ added: 1, rejected: 6 });
    expect(result.rejects.map((r) => r.error.split(':')[0])).toEqual(['flags', 'flags', 'flags[0].flag', 'flags', 'flag', 'value']);
    expect(await flagsOf(api, digest)).toEqual([[1, 1]]);
  });
});

describe('GET /api/v1/hashes/export', () => {
  it('round trip: export of one store imported into an empty one gives the same export, every slot included', async () => {
    const source = await start();
    const backend = source.runtime.backend;
    const { ShingleBlock } = await import('../../../shared/protocol/shingle-block.js');
    // In groups of 500: the store refuses more than its write queue holds (2000) at once.
    const written: Buffer[] = [];
    for (let group = 0; group < 2500; group += 500) {
      const digests = await Promise.all(
        Array.from({ length: 500 }, async (_, k) => {
          const i = group + k;
          const digest = randomBytes(64);
          await backend.update({
            kind: 'write',
            rule: 'single',
            digest,
            flag: i % 4,
            value: i - 100,
            shingles: i % 10 === 0 ? ShingleBlock.fromBigInts(shingles().map(BigInt)) : null,
          });
          return digest;
        }),
      );
      written.push(...digests);
    }
    // Multi-flag hashes of every kind: slots added by rspamd 4.x writes (highest value primary), a full one with 8,
    // one re-flagged by a 3.x client afterwards (primary not its highest), and one edited over the API.
    await Promise.all(
      written.slice(0, 300).map(async (digest, i) => {
        for (let s = 1; s <= (i % 8); s++) await backend.update({ kind: 'write', rule: 'multi', digest, flag: 10 + s, value: s * 7 - i, shingles: null });
        if (i % 3 === 0) await backend.update({ kind: 'write', rule: 'single', digest, flag: 99, value: -40, shingles: null });
        if (i % 5 === 0) await backend.update({ kind: 'set', digest, flags: [{ flag: 50, value: -1 }, { flag: 51, value: 1000 }] });
      }),
    );
    const exported = await exportLines(source);
    expect(exported).toHaveLength(2500);
    const digests = exported.map((l) => l.digest as string);
    expect(digests).toEqual([...digests].sort());
    expect(exported.filter((l) => Array.isArray(l.shingles))).toHaveLength(250);
    const flagsOf = (l: Record<string, unknown>): { flag: number; value: number }[] => l.flags as { flag: number; value: number }[];
    expect(exported.every((l) => flagsOf(l)[0].flag === l.flag && flagsOf(l)[0].value === l.value)).toBe(true);
    expect(exported.filter((l) => flagsOf(l).length === 8).length).toBeGreaterThan(0);
    // Some primaries are not their hash's highest value: writing the slots one by one would reorder those.
    expect(exported.some((l) => flagsOf(l).some((f) => f.value > (l.value as number)))).toBe(true);

    const target = await start();
    const text = `${exported.map((l) => JSON.stringify(l)).join('\n')}\n`;
    const result = await importLines(target, text);
    expect(result).toMatchObject({ added: 2500, updated: 0, rejected: 0 });
    const again = await exportLines(target);
    const strip = (l: Record<string, unknown>): Record<string, unknown> => ({ ...l, time: undefined });
    expect(again.map(strip)).toEqual(exported.map(strip));
    // The UDP plane of the target sees every slot too.
    const one = exported.find((l) => flagsOf(l).length === 8)!;
    const stored = target.runtime.backend.get(Buffer.from(one.digest as string, 'hex'));
    expect(stored).toMatchObject({ flag: one.flag, value: one.value, extraFlags: flagsOf(one).slice(1) });
  }, 60_000);

  it('filters by flag and prefix', async () => {
    const api = await start();
    const backend = api.runtime.backend;
    await Promise.all(Array.from({ length: 300 }, (_, i) => backend.update({ kind: 'write', rule: 'single', digest: randomBytes(64), flag: i % 2, value: 1, shingles: null })));
    // One more hash, holding flag 1 in an extra slot only.
    const multi = randomBytes(64);
    await backend.update({ kind: 'write', rule: 'multi', digest: multi, flag: 0, value: 9, shingles: null });
    await backend.update({ kind: 'write', rule: 'multi', digest: multi, flag: 1, value: 2, shingles: null });
    const flag1 = await exportLines(api, '?flag=1');
    expect(flag1).toHaveLength(151);
    expect(flag1.every((l) => (l.flags as { flag: number }[]).some((f) => f.flag === 1))).toBe(true);
    expect(flag1.find((l) => l.digest === multi.toString('hex'))).toMatchObject({ flag: 0, value: 9, flags: [{ flag: 0, value: 9 }, { flag: 1, value: 2 }] });
    const prefixed = await exportLines(api, '?prefix=8');
    expect(prefixed.every((l) => (l.digest as string).startsWith('8'))).toBe(true);
    const bad = await api.request('GET', '/api/v1/hashes/export?flag=x');
    expect(bad.statusCode).toBe(400);
  });
});
