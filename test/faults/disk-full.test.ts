/**
 * A full disk under a real fuzzyd process (a small tmpfs; CI runs as root): writes are refused, never acknowledged;
 * CHECKs go on; /health says why; SIGTERM ends the process in bounded time; after space returns, a restart serves
 * every write that was acknowledged, before and during the fault.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { type FuzzydProcess, startFuzzyd } from '../helpers/fuzzyd-process.js';
import { randomDigest, randomShingles } from '../helpers/fuzzy-data.js';

const root = process.getuid?.() === 0;
const mountDir = mkdtempSync('/tmp/fuzzyd-diskfull-');
let mounted = false;

function fill(dir: string): void {
  // One big file, then small ones until nothing fits: leaves the file system full to the last block.
  const free = statfsSync(dir).bavail * statfsSync(dir).bsize;
  try {
    writeFileSync(join(dir, 'filler-big'), Buffer.alloc(Math.max(0, free - 64 * 1024)));
  } catch {
    // full already
  }
  for (let i = 0; i < 1000; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), Buffer.alloc(4096));
    } catch {
      return;
    }
  }
}

function unfill(dir: string): void {
  execFileSync('/bin/sh', ['-c', `rm -f ${dir}/filler-*`]);
}

describe.skipIf(!root)('disk full (tmpfs of 24 MB)', () => {
  const TOKEN = 'fzd_test_admin_token_0123456789abcdef';
  let fuzzyd: FuzzydProcess;
  let client: FuzzyClient;
  const acknowledged: Buffer[] = [];

  beforeAll(() => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountDir]);
    mounted = true;
  });
  afterAll(async () => {
    await client?.close();
    await fuzzyd?.kill9();
    if (mounted) execFileSync('umount', ['-l', mountDir]);
    rmSync(mountDir, { recursive: true, force: true });
  });

  it('refuses writes while full, keeps answering checks and says so on /health', async () => {
    fuzzyd = await startFuzzyd({ FUZZYD_DB: join(mountDir, 'fuzzy.db'), FUZZYD_ADMIN_TOKEN: TOKEN });
    client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 2000, retries: 0 });
    for (let i = 0; i < 200; i++) {
      const digest = randomDigest();
      expect((await client.write(digest, 1, 1, randomShingles().toBigInts())).prob).toBe(1);
      acknowledged.push(digest);
    }
    fill(mountDir);
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const digest = randomDigest();
      const reply = await client.write(digest, 1, 1, randomShingles().toBigInts());
      if (reply.prob === 1) acknowledged.push(digest);
      else refused++;
    }
    expect(refused).toBeGreaterThan(0);
    expect((await client.check(acknowledged[0])).prob).toBe(1);
    const health = await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'degraded' });
    // A listing does not hang: it reads what is applied (200), or, with journal entries the full disk keeps from
    // being applied, fails fast with 503 (the last commit failed, so it waits 0.5 s, not 5).
    const started = Date.now();
    const listing = await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/api/v1/hashes`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([200, 503]).toContain(listing.status);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('ends on SIGTERM within 10 s while the disk is full', async () => {
    const started = Date.now();
    await Promise.race([fuzzyd.stop('SIGTERM'), new Promise((r) => setTimeout(r, 10_000))]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(() => process.kill(fuzzyd.pid, 0)).toThrow();
  });

  it('serves every acknowledged write after a restart once space is back', async () => {
    unfill(mountDir);
    await client.close();
    fuzzyd = await startFuzzyd({ FUZZYD_DB: join(mountDir, 'fuzzy.db') });
    client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 2000, retries: 1 });
    let missing = 0;
    for (const digest of acknowledged) if ((await client.check(digest)).prob !== 1) missing++;
    expect(missing).toBe(0);
    expect((await client.stat()).flag).toBe(acknowledged.length);
  });
});
