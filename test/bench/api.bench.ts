/**
 * Admin API benchmark at 1M stored hashes (1 % of them with shingles): latency of list pages (limit=100, following
 * cursors, with and without a flag filter) and of prefix searches (2, 4, 6 hex characters) over real HTTP with
 * keep-alive, then the JSON Lines import rate (100k lines in one request, plus 20k lines with shingles) and the
 * export rate. Target: list and prefix p99 under 20 ms.
 *
 *   node dist/test/bench/api.bench.js      → prints the result as JSON
 */
import { runIfMain } from './run-if-main.js';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../../server/src/config/app-config.js';
import { startFuzzyd } from '../../server/src/bootstrap.js';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';
import type { HashPage, ImportResult } from '../../shared/api/api-types.js';
import { tempDir } from '../helpers/temp-dir.js';

const HASHES = 1_000_000;
const WITH_SHINGLES = 10_000;
const FLAGS = 4;
const LIST_PAGES = 1000;
const PREFIX_QUERIES = 300;
const IMPORT_LINES = 100_000;
const IMPORT_SHINGLED_LINES = 20_000;
const P99_TARGET_MS = 20;
const TOKEN = 'bench-admin-token-0123456789abcdef';

/** Phases on stderr, so a slow run shows where it is; the result alone goes to stdout. */
function progress(message: string): void {
  process.stderr.write(`[api bench] ${message}\n`);
}

interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export async function benchApi(): Promise<Record<string, unknown>> {
  const dir = tempDir('fuzzyd-api-bench-');
  try {
    const dbPath = dir.file('fuzzy.db');
    const seedMs = seedDatabase(dbPath);
    progress(`seeded ${HASHES} hashes in ${Math.round(seedMs)} ms`);

    const t0 = performance.now();
    const config = loadConfig({
      FUZZYD_UDP: '127.0.0.1:0',
      FUZZYD_HTTP: '127.0.0.1:0',
      FUZZYD_DB: dbPath,
      FUZZYD_ADMIN_TOKEN: TOKEN,
      FUZZYD_LOG_LEVEL: 'info',
      FUZZYD_REDIS_URL: '',
    });
    // Request logs are produced (their cost is part of each request) but not printed.
    const fuzzyd = await startFuzzyd(config, { logDestination: { write: () => undefined } });
    const startMs = performance.now() - t0;
    progress(`started in ${Math.round(startMs)} ms`);
    const address = fuzzyd.http.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const get = async <T>(path: string): Promise<T> => {
        const r = await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } });
        if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
        return (await r.json()) as T;
      };
      // Warm up the connection, the statements and the page cache.
      await walk(get, '', 50);

      const list = await walk(get, '', LIST_PAGES);
      progress(`list pages ${JSON.stringify(list)}`);
      const listFlag = await walk(get, '&flag=2', LIST_PAGES);
      progress(`list pages with flag ${JSON.stringify(listFlag)}`);
      const prefix = Object.fromEntries(
        await sequence([2, 4, 6], async (len) => [`prefix${len}`, await prefixSearches(get, len)] as const),
      );
      progress(`prefix searches ${JSON.stringify(prefix)}`);
      // What the dashboard polls: per-flag counts (kept by the in-memory index) at this size.
      const countLoop = loopDelay();
      const flags = await repeat(30, () => get('/api/v1/flags'));
      const stats = await repeat(30, () => get('/api/v1/stats'));
      const countStallMs = countLoop.stop();
      progress(`flags ${JSON.stringify(flags)} stats ${JSON.stringify(stats)} loop ${JSON.stringify(countStallMs)}`);

      const plainBody = importBody(IMPORT_LINES, false);
      const importLoop = loopDelay();
      const importPlain = await importRate(base, plainBody, IMPORT_LINES);
      const importStallMs = importLoop.stop();
      progress(`import ${JSON.stringify(importPlain)} loop ${JSON.stringify(importStallMs)}`);
      const importShingled = await importRate(base, importBody(IMPORT_SHINGLED_LINES, true), IMPORT_SHINGLED_LINES);
      progress(`import with shingles ${JSON.stringify(importShingled)}`);
      const exported = await exportRate(base, '?flag=1');
      progress(`export ${JSON.stringify(exported)}`);

      const within = [list, listFlag, ...Object.values(prefix)].every((l) => l.p99 < P99_TARGET_MS);
      return {
        hashes: fuzzyd.runtime.backend.count(),
        seedMs: Math.round(seedMs),
        startMs: Math.round(startMs),
        listPageMs: list,
        listPageFlagMs: listFlag,
        prefixSearchMs: prefix,
        flagsMs: flags,
        statsMs: stats,
        eventLoopDelayDuringCountsMs: countStallMs,
        eventLoopDelayDuringImportMs: importStallMs,
        importLinesPerSec: importPlain.linesPerSec,
        importMs: importPlain.ms,
        importShingledLinesPerSec: importShingled.linesPerSec,
        exportLinesPerSec: exported.linesPerSec,
        exportLines: exported.lines,
        p99TargetMs: P99_TARGET_MS,
        p99WithinTarget: within,
      };
    } finally {
      await fuzzyd.stop();
    }
  } finally {
    dir.remove();
  }
}

/** rspamd's layout filled directly, in one transaction: far faster than going through the API. */
function seedDatabase(path: string): number {
  const started = performance.now();
  const db = openFuzzyDatabase(path, { durability: 'normal' });
  // Random digests land all over the unique index: a big page cache keeps the one transaction from thrashing.
  db.pragma('cache_size = -524288');
  const insertDigest = db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (?, CAST(? AS TEXT), ?, ?)');
  const insertShingle = db.prepare('INSERT OR REPLACE INTO shingles(value, number, digest_id) VALUES (?, ?, ?)');
  const now = Math.floor(Date.now() / 1000);
  const pool = randomBytes(HASHES * 64);
  db.transaction(() => {
    for (let i = 0; i < HASHES; i++) {
      const digest = pool.subarray(i * 64, i * 64 + 64);
      const id = Number(insertDigest.run((i % FLAGS) + 1, digest, (i % 100) + 1, now - (i % 3600)).lastInsertRowid);
      if (i < WITH_SHINGLES) {
        for (let n = 0; n < 32; n++) insertShingle.run(randomBytes(8).readBigInt64LE(0), n, id);
      }
    }
  })();
  db.close();
  return performance.now() - started;
}

type Get = <T>(path: string) => Promise<T>;

/** Follows `nextCursor` for `pages` pages (restarting at the end), timing each request. */
async function walk(get: Get, query: string, pages: number): Promise<Latency> {
  const times: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const t = performance.now();
    const page: HashPage = await get<HashPage>(`/api/v1/hashes?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`);
    times.push(performance.now() - t);
    if (page.items.length === 0) throw new Error('empty page');
    cursor = page.nextCursor;
  }
  return latency(times);
}

async function prefixSearches(get: Get, length: number): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < PREFIX_QUERIES; i++) {
    const prefix = randomBytes(4).toString('hex').slice(0, length);
    const t = performance.now();
    await get<HashPage>(`/api/v1/hashes?limit=100&prefix=${prefix}`);
    times.push(performance.now() - t);
  }
  return latency(times);
}

/**
 * Event-loop delay while something runs: the UDP plane shares this loop, so a long synchronous step in the admin
 * API shows up directly as UDP latency.
 */
function loopDelay(): { stop: () => { p99: number; max: number } } {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return {
    stop: () => {
      h.disable();
      return { p99: round2(h.percentile(99) / 1e6), max: round2(h.max / 1e6) };
    },
  };
}

/** `before` runs untimed ahead of each call (here: drop the cached flag counts, so each call counts afresh). */
async function repeat(n: number, call: () => Promise<unknown>): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    times.push(performance.now() - t);
  }
  return latency(times);
}

function importBody(lines: number, withShingles: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < lines; i++) {
    const line: Record<string, unknown> = { digest: randomBytes(64).toString('hex'), flag: (i % FLAGS) + 1, value: 1 };
    if (withShingles) line.shingles = Array.from({ length: 32 }, () => randomBytes(8).readBigUInt64LE(0).toString());
    parts.push(JSON.stringify(line));
  }
  return `${parts.join('\n')}\n`;
}

async function importRate(base: string, body: string, lines: number): Promise<{ linesPerSec: number; ms: number }> {
  const t = performance.now();
  const r = await fetch(`${base}/api/v1/hashes/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  const result = (await r.json()) as ImportResult;
  const ms = performance.now() - t;
  if (r.status !== 200 || result.added !== lines) throw new Error(`import: ${r.status} ${JSON.stringify(result).slice(0, 300)}`);
  return { linesPerSec: Math.round(lines / (ms / 1000)), ms: Math.round(ms) };
}

async function exportRate(base: string, query: string): Promise<{ linesPerSec: number; lines: number }> {
  const t = performance.now();
  const r = await fetch(`${base}/api/v1/hashes/export${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  let lines = 0;
  for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lines++;
  }
  const ms = performance.now() - t;
  return { linesPerSec: Math.round(lines / (ms / 1000)), lines };
}

function latency(times: number[]): Latency {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => round2(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: round2(sorted[sorted.length - 1]) };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

async function sequence<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

runIfMain(import.meta.url, benchApi);
