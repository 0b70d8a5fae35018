import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HashDetail, ImportResult, Problem } from '../../../shared/api/api-types.js';
import { ADMIN_TOKEN, apiHarnesses, type ApiHarness, hexDigest } from './api-harness.js';

const harnesses = apiHarnesses();
const start = harnesses.start;

function shingles(): string[] {
  return Array.from({ length: 32 }, () => randomBytes(8).readBigUInt64LE(0).toString());
}

async function importLines(api: ApiHarness, body: string, query = '', contentType = 'application/x-ndjson'): Promise<ImportResult> {
  const r = await api.request('POST', `/api/v1/hashes/import${query}`, { payload: body, contentType });
  expect(r.statusCode).toBe(200);
  return JSON.parse(r.body) as ImportResult;
}

async function exportLines(api: ApiHarness, query = ''): Promise<Record<string, unknown>[]> {
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
    expect(api.fuzzyd.runtime.backend.get(Buffer.from(a, 'hex'))).toMatchObject({ flag: 1, value: 15 });
    const detail = JSON.parse((await api.request('GET', `/api/v1/hashes/${b}`)).body) as HashDetail;
    expect(detail.shingles).toHaveLength(32);
  });

  it('mode=replace sets flag and weight of existing hashes instead of adding', async () => {
    const api = await start();
    const a = hexDigest();
    await importLines(api, JSON.stringify({ digest: a, flag: 1, value: 10 }));
    const result = await importLines(api, JSON.stringify({ digest: a, flag: 1, value: 4 }), '?mode=replace');
    expect(result).toMatchObject({ added: 0, updated: 1, rejected: 0 });
    expect(api.fuzzyd.runtime.backend.get(Buffer.from(a, 'hex'))).toMatchObject({ value: 4 });
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
    expect(api.fuzzyd.runtime.backend.count()).toBe(100_000);
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

describe('GET /api/v1/hashes/export', () => {
  it('round trip: export of one store imported into an empty one gives the same export', async () => {
    const source = await start();
    const backend = source.fuzzyd.runtime.backend;
    const { ShingleBlock } = await import('../../../shared/protocol/shingle-block.js');
    await Promise.all(
      Array.from({ length: 2500 }, (_, i) =>
        backend.update({
          kind: 'write',
          rule: 'single',
          digest: randomBytes(64),
          flag: i % 4,
          value: i - 100,
          shingles: i % 10 === 0 ? ShingleBlock.fromBigInts(shingles().map(BigInt)) : null,
        }),
      ),
    );
    const exported = await exportLines(source);
    expect(exported).toHaveLength(2500);
    const digests = exported.map((l) => l.digest as string);
    expect(digests).toEqual([...digests].sort());
    expect(exported.filter((l) => Array.isArray(l.shingles))).toHaveLength(250);

    const target = await start();
    const text = `${exported.map((l) => JSON.stringify(l)).join('\n')}\n`;
    const result = await importLines(target, text);
    expect(result).toMatchObject({ added: 2500, updated: 0, rejected: 0 });
    const again = await exportLines(target);
    const strip = (l: Record<string, unknown>): Record<string, unknown> => ({ ...l, time: undefined });
    expect(again.map(strip)).toEqual(exported.map(strip));
  });

  it('filters by flag and prefix', async () => {
    const api = await start();
    const backend = api.fuzzyd.runtime.backend;
    await Promise.all(Array.from({ length: 300 }, (_, i) => backend.update({ kind: 'write', rule: 'single', digest: randomBytes(64), flag: i % 2, value: 1, shingles: null })));
    const flag1 = await exportLines(api, '?flag=1');
    expect(flag1).toHaveLength(150);
    expect(flag1.every((l) => l.flag === 1)).toBe(true);
    const prefixed = await exportLines(api, '?prefix=8');
    expect(prefixed.every((l) => (l.digest as string).startsWith('8'))).toBe(true);
    const bad = await api.request('GET', '/api/v1/hashes/export?flag=x');
    expect(bad.statusCode).toBe(400);
  });
});
