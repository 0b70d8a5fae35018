/**
 * What an operator reads when things go wrong: a damaged file is found by `quick_check` at start (not at the next
 * failed commit), an import cut by its client logs what it committed, and a Redis outage answers 503s without a
 * stack trace per request. A real fuzzyd process, a real file damaged on disk, a real Redis stopped.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { type FuzzydProcess, startFuzzyd } from '../helpers/fuzzyd-process.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'fzd_test_admin_token_0123456789abcdef';
const dir = tempDir('fuzzyd-diagnostics-');
let fuzzyd: FuzzydProcess | undefined;

afterEach(async () => {
  await fuzzyd?.stop();
  fuzzyd = undefined;
});

const logLines = (p: FuzzydProcess): Record<string, unknown>[] =>
  p.logs().flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A store of `count` hashes whose index on `time` (read by no start-up query of fuzzyd) has a damaged root page. */
function damagedStore(path: string, count: number): void {
  const db = openFuzzyDatabase(path, { durability: 'normal' });
  const insert = db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (1, ?, 1, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(randomBytes(64), 1_700_000_000 + i);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 't'").get() as { rootpage: number }).rootpage;
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, randomBytes(pageSize - 200), 0, pageSize - 200, (root - 1) * pageSize + 100);
  closeSync(fd);
}

describe('a damaged store file', () => {
  it('is reported by quick_check on /health and in the log, while CHECKs are served', async () => {
    const dbPath = dir.file('damaged.db');
    damagedStore(dbPath, 5000);
    fuzzyd = await startFuzzyd({ FUZZYD_DB: dbPath });
    const health = await until('quick_check to finish', async () => {
      const body = (await (await fetch(`http://127.0.0.1:${fuzzyd!.httpPort}/health`)).json()) as { status: string; checks: { store: { detail: string } } };
      return body.status === 'degraded' ? body : undefined;
    });
    expect(health.checks.store.detail).toMatch(/^the file is damaged \(quick_check\): Tree \d+ page \d+/);
    const logged = logLines(fuzzyd).find((l) => l.msg === 'store: the file is damaged (quick_check); restore it from a backup or export what is readable');
    expect(logged?.level).toBe(50);
    expect((logged?.problems as string[]).length).toBeGreaterThan(0);
  });

  it('an intact file passes the check and stays healthy', async () => {
    fuzzyd = await startFuzzyd({ FUZZYD_DB: dir.file('intact.db') });
    await until('quick_check to finish', () => logLines(fuzzyd!).find((l) => l.msg === 'store: quick_check ok'));
    const body = (await (await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/health`)).json()) as { status: string };
    expect(body.status).toBe('ok');
  });
});

describe('an import cut by its client', () => {
  it('logs how many lines it committed before the cut', async () => {
    fuzzyd = await startFuzzyd({ FUZZYD_ADMIN_TOKEN: TOKEN });
    const lines = Array.from({ length: 200 }, () => JSON.stringify({ digest: randomBytes(64).toString('hex'), flag: 1, value: 1 })).join('\n') + '\n';
    const socket = connect(fuzzyd.httpPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/v1/hashes/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        `Content-Type: application/x-ndjson\r\nContent-Length: ${lines.length * 10}\r\n\r\n${lines}`,
    );
    // The 200 lines are in; the rest of the announced body never comes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.destroy();
    const logged = await until('the import to be logged', () => logLines(fuzzyd!).find((l) => String(l.msg).startsWith('hash import ended early')));
    expect(logged).toMatchObject({ level: 40, added: 200, rejected: 0 });
    const count = await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/api/v1/stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await count.json()) as { hashes: { total: number } }).hashes.total).toBe(200);
  });
});

describe('neural routes while Redis is down', () => {
  it('answer 503 and log no stack trace per request', async (ctx) => {
    const redis = await startRedisServer();
    if (!redis.owned) ctx.skip();
    fuzzyd = await startFuzzyd({ FUZZYD_ADMIN_TOKEN: TOKEN, FUZZYD_REDIS_URL: redis.url });
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/api/v1/neural/rules`, { headers: { authorization: `Bearer ${TOKEN}` } });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.slice(-10)).toEqual(Array(10).fill(503));
    const noisy = logLines(fuzzyd).filter((l) => (l.level as number) >= 40 && JSON.stringify(l).includes('    at '));
    expect(noisy).toEqual([]);
    // The outage itself is logged, rate-limited: a few warnings, not one per request.
    expect(logLines(fuzzyd).filter((l) => (l.level as number) >= 40).length).toBeLessThan(10);
  });
});
