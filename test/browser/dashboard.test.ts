/**
 * The dashboard in real Chromium against a real fuzzyd child process (built `dist/` and `dashboard/dist`) and a
 * private Redis seeded the way rspamd's neural plugin writes it. Each page is saved as a screenshot under
 * test-results/screenshots/ (not committed); the overview at 1280 px also goes to docs/screenshots/dashboard.png when
 * that file is missing or FUZZYD_UPDATE_SCREENSHOTS=1.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { annKey, profilesKey, vectorSetKey } from '../../server/src/neural/redis/neural-keys.js';
import { LAYOUT_4_X } from '../../server/src/neural/redis/neural-layout.js';
import { buildProfile, serializeProfile } from '../../server/src/neural/redis/profile-codec.js';
import { encodeVector } from '../../server/src/neural/training/vector-codec.js';
import { launchChromium } from '../helpers/chromium.js';
import { type FuzzydProcess, startFuzzyd } from '../helpers/fuzzyd-process.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { generateKeypair } from '../../shared/protocol/crypto-keys.js';

/** The server's one keypair: the Keys page lists its public half. */
const SERVER_KEY = generateKeypair();

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-results/screenshots`;
const DOCS_SHOT = `${ROOT}docs/screenshots/dashboard.png`;
const TOKEN = 'fzd_browser_test_token_0123456789abcdef';
const WAIT_MS = 10_000;

const SYMBOLS = ['HAM_CALM', 'HAM_KNOWN_SENDER', 'HAM_REPLY', 'SPAM_BITCOIN', 'SPAM_SHOUTING', 'SPAM_URGENT'];
const N_SPAM = 8;
const N_HAM = 7;
const LOCK_HOST = 'scanner-7.example.net';
/** Digests the search test looks for: five share this prefix, nothing else does (random digests would, 1 in 16M). */
const PREFIX = 'c0ffee';
/** 45 over the REST API and 5 UDP WRITEs (flag 1). */
const STORED = 50;

let redis: TestRedis;
let raw: Redis;
let fuzzyd: FuzzydProcess;
let browser: Browser;
let page: Page;
let base: string;

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** A row of the neural training data: 26 metatokens, then the symbols (spam symbols fire for spam, ham for ham). */
function vectorRow(cls: 'spam' | 'ham', i: number): number[] {
  const meta = Array.from({ length: 26 }, (_, k) => ((i * 31 + k * 7) % 100) / 100);
  return [...meta, ...SYMBOLS.map((s, k) => (s.startsWith(cls.toUpperCase()) ? 0.2 + ((i + k) % 8) / 10 : 0))];
}

/** Version 0 of default/default as rspamd's scanner writes it, vectors below max_trains, and a training lock. */
async function seedNeural(): Promise<string> {
  const profile = buildProfile({ prefix: 'rn', rulePrefix: 'default', settings: 'default' }, SYMBOLS, 0);
  await raw.zadd(profilesKey('rn', 'default', 'default'), Date.now() / 1000, serializeProfile(profile));
  for (const [cls, n] of [['spam', N_SPAM], ['ham', N_HAM]] as const) {
    for (let i = 0; i < n; i++) await raw.sadd(vectorSetKey(profile.redis_key, cls), await encodeVector(vectorRow(cls, i)));
  }
  expect(profile.redis_key).toBe(annKey('rn', 'default', 'default', profile.digest, 0));
  await raw.hset(profile.redis_key, 'lock', String(Math.floor(Date.now() / 1000) - 5), 'hostname', LOCK_HOST);
  await seedNeural4x();
  return profile.redis_key;
}

/** rspamd 4.x's layout for a rule fuzzyd does not configure: v1 trained from v0, which is now obsolete. */
async function seedNeural4x(): Promise<void> {
  const target = { prefix: 'rn', rulePrefix: 'fourx', settings: 'default' };
  const [v0, v1] = [0, 1].map((v) => buildProfile(target, SYMBOLS, v));
  const zset = profilesKey('rn', 'fourx', 'default', LAYOUT_4_X);
  const now = Date.now() / 1000;
  await raw.zadd(zset, now - 60, serializeProfile(v0), now, serializeProfile(v1));
  await raw.hset(v0.redis_key, 'hostname', 'mx1', 'obsolete', '1');
  await raw.hset(v1.redis_key, 'ann', Buffer.alloc(2048, 1), 'roc_thresholds', '[]');
}

/** Hashes over the REST API, names for two flags, and some UDP traffic for the overview's charts. */
async function seedStore(): Promise<void> {
  const digests = [...Array.from({ length: 5 }, () => PREFIX + hex(61)), ...Array.from({ length: 40 }, () => `1${hex(64).slice(1)}`)];
  for (const [i, digest] of digests.entries()) {
    const shingles = i === 0 ? Array.from({ length: 32 }, () => BigInt(`0x${hex(8)}`).toString()) : undefined;
    await api('POST', '/hashes', { digest, flag: i % 3 === 2 ? 2 : 1, value: 100 + i, shingles });
  }
  await api('PUT', '/flags/1', { name: 'FUZZY_DENIED', description: 'Known spam' });
  await api('PUT', '/flags/2', { name: 'FUZZY_PROB', description: 'Probable spam' });

  const client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 500, retries: 1 });
  try {
    for (let i = 0; i < 60; i++) await client.check(i % 3 === 0 ? digests[i % digests.length] : hex(64));
    for (let i = 0; i < 5; i++) await client.write(hex(64), 1, 1);
  } finally {
    await client.close();
  }
  // Undecodable datagrams, counted as invalid.
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.send(Buffer.from('not a fuzzy request'), fuzzyd.udpPort, '127.0.0.1', () => resolve()));
  socket.close();
}

async function shot(name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  const path = `${SHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}

async function visible(locator: Locator, timeout = WAIT_MS): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator;
}

/** Browser-side expressions are strings: the test is compiled without the DOM library. */
async function tableRows(n: number): Promise<void> {
  await page.waitForFunction((rows) => document.querySelectorAll('table tbody tr').length === rows, n);
}

async function heading(name: string): Promise<void> {
  await visible(page.getByRole('heading', { level: 1, name }));
}

async function nav(label: string, title = label): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
  await heading(title);
}

// The page's globals, for the predicates that run inside Chromium (this file is compiled without the DOM library).
declare const document: { querySelectorAll(selector: string): { length: number } };
declare const location: { href: string };
const cspViolations: string[] = [];

beforeAll(async () => {
  for (const built of ['dist/server/src/main.js', 'dashboard/dist/index.html']) {
    if (!existsSync(`${ROOT}${built}`)) throw new Error(`${built} is missing: run 'npm run build' first`);
  }
  mkdirSync(SHOTS, { recursive: true });
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  await seedNeural();
  [fuzzyd, browser] = await Promise.all([
    startFuzzyd({
      FUZZYD_ADMIN_TOKEN: TOKEN,
      FUZZYD_DURABILITY: 'normal',
      FUZZYD_KEYPAIR: `${SERVER_KEY.privkey}:${SERVER_KEY.pubkey}`,
      FUZZYD_REDIS_URL: redis.url,
      FUZZYD_NEURAL_CONFIG: JSON.stringify({ rules: { default: { train: { max_trains: 10 } } } }),
      // The test starts the training itself; the automatic trigger must not beat it to it.
      FUZZYD_NEURAL_AUTOTRAIN: 'false',
    }),
    launchChromium(),
  ]);
  base = `http://127.0.0.1:${fuzzyd.httpPort}`;
  await seedStore();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(WAIT_MS);
  // fuzzyd sends a strict Content-Security-Policy: anything of the dashboard it blocks shows up here.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
});

afterAll(async () => {
  expect(cspViolations).toEqual([]);
  await browser?.close();
  await fuzzyd?.stop();
  await raw?.quit();
  await redis?.stop();
});

describe('dashboard in Chromium', () => {
  it('is served at / with client routes falling back to the app, while /api 404s stay problem+json', async () => {
    const html = await fetch(`${base}/hashes/deep/link`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<div id="root">');
    const missing = await fetch(`${base}/api/v1/no-such-route`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });

  it('logs in with the API token and lands on the overview', async () => {
    await page.goto(`${base}/`);
    await heading('fuzzyd');
    expect(new URL(page.url()).pathname).toBe('/login');
    await shot('login');
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByText('This token is not valid'));
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Overview');
  });

  it('shows totals, flags, rates and live charts on the overview', async () => {
    const hashes = page.locator('.stat', { hasText: 'Hashes' }).locator('.stat-value');
    await visible(hashes);
    expect(await hashes.textContent()).toBe(String(STORED));
    await visible(page.getByRole('rowheader', { name: /FUZZY_DENIED/ }));
    await visible(page.getByRole('rowheader', { name: 'CHECK' }));
    expect(await page.locator('.stat', { hasText: 'Invalid' }).locator('.stat-value').textContent()).toBe('1');
    // The Redis card (from /health): which server is the primary and whether it answers.
    const neuralRedis = page.getByRole('row', { name: /neural/ });
    await visible(neuralRedis);
    expect(await neuralRedis.textContent()).toMatch(new RegExp(`primary.*127\\.0\\.0\\.1:${redis.port}.*reachable`));
    await page.locator('.recharts-surface').nth(2).waitFor();
    await page.waitForTimeout(300);
    await shot('overview');
    const docs = await shot('overview-1280-viewport', { fullPage: false });
    mkdirSync(dirname(DOCS_SHOT), { recursive: true });
    // The committed copy changes only on request, so a test run does not dirty the tree.
    const update = !existsSync(DOCS_SHOT) || process.env.FUZZYD_UPDATE_SCREENSHOTS === '1';
    if (update && statSync(docs).size < 300 * 1024) copyFileSync(docs, DOCS_SHOT);
  });

  it('browses the hashes, searches by prefix, adds a hash and deletes one with confirmation', async () => {
    await nav('Hashes');
    const rows = page.getByRole('table').locator('tbody tr');
    await visible(rows);
    expect(await rows.count()).toBe(STORED);
    await shot('hashes');

    await page.getByLabel('Digest prefix').fill(PREFIX);
    await page.waitForFunction((prefix) => new URL(location.href).searchParams.get('prefix') === prefix, PREFIX);
    await tableRows(5);
    for (const link of await page.getByRole('table').getByRole('link').all()) expect(await link.getAttribute('title')).toMatch(new RegExp(`^${PREFIX}`));

    // Export of the filtered list. A headless save picker cannot be driven, so the download fallback is used.
    await page.evaluate('delete Window.prototype.showSaveFilePicker; delete window.showSaveFilePicker');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    expect(download.suggestedFilename()).toBe(`fuzzyd-hashes-${PREFIX}.jsonl`);
    const exported = readFileSync(await download.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { digest: string });
    expect(exported).toHaveLength(5);
    expect(exported.every((h) => h.digest.startsWith(PREFIX))).toBe(true);

    // Detail view of the hash written with shingles.
    await page.getByLabel('Digest prefix').fill('');
    await tableRows(STORED);
    const withShingles = page.getByRole('row').filter({ has: page.getByRole('cell', { name: '32', exact: true }) }).getByRole('link');
    await withShingles.first().click();
    await heading('Hash');
    await visible(page.getByRole('heading', { name: 'Shingles (32)' }));
    await visible(page.getByText('FUZZY_DENIED (1)'));
    await shot('hash-detail');
    await page.getByRole('link', { name: '← Back to the list' }).click();
    await heading('Hashes');

    // Add.
    const digest = `add0${hex(62)}`;
    await page.getByRole('button', { name: 'Add hash' }).click();
    const addDialog = page.getByRole('dialog', { name: 'Add a hash' });
    await visible(addDialog);
    await addDialog.getByLabel('Digest').fill('abc');
    await addDialog.getByRole('button', { name: 'Add hash' }).click();
    await visible(addDialog.getByText('A digest is 128 hex characters (got 3)'));
    await addDialog.getByLabel('Digest').fill(digest);
    await addDialog.getByLabel('Flag').fill('2');
    await addDialog.getByLabel('Value').fill('7');
    await shot('hash-add-dialog', { fullPage: false });
    await addDialog.getByRole('button', { name: 'Add hash' }).click();
    await visible(page.getByText(/Added hash add0/));
    await page.getByLabel('Digest prefix').fill(digest.slice(0, 12));
    await tableRows(1);
    await visible(page.getByRole('cell', { name: 'FUZZY_PROB (2)' }));

    // Delete, confirmed in a dialog.
    await page.getByRole('button', { name: /^Delete hash add0/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this hash?' });
    await visible(confirm);
    await shot('hash-delete-confirm', { fullPage: false });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await visible(page.getByText(/Deleted hash add0/));
    await visible(page.getByText('No hash matches this filter.'));
    expect((await fetch(`${base}/api/v1/hashes/${digest}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);

    // Import a JSON Lines file with one bad line: totals, progress at 100 %, and the rejected line number.
    const lines = [`{"digest":"${'e1'.repeat(64)}","flag":7,"value":3}`, '{"digest":"zz","flag":7,"value":1}', `{"digest":"${'e2'.repeat(64)}","flag":7,"value":4}`];
    await page.getByRole('button', { name: 'Import' }).click();
    const importDialog = page.getByRole('dialog', { name: 'Import hashes' });
    await importDialog.getByLabel('JSON Lines file').setInputFiles({ name: 'hashes.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${lines.join('\n')}\n`) });
    await importDialog.getByRole('button', { name: 'Import', exact: true }).click();
    await visible(importDialog.getByText('Import finished with rejected lines.'));
    expect(await importDialog.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow')).toBe(String(Buffer.byteLength(`${lines.join('\n')}\n`)));
    expect(await importDialog.locator('.inline-stats dd').allTextContents()).toEqual(['2', '0', '1']);
    await visible(importDialog.getByRole('row', { name: /^2 digest/ }));
    await shot('hash-import', { fullPage: false });
    await importDialog.getByRole('button', { name: 'Close' }).click();
  });

  it('lists the flags with names and counts', async () => {
    await nav('Flags');
    const row = page.getByRole('row', { name: /FUZZY_DENIED/ });
    await visible(row);
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('35');
    await shot('flags');
  });

  it('shows every flag of a multi-flag hash in the list and on its page, and edits the list', async () => {
    // Two WRITEs of different flags: the second takes a slot of its own (rspamd 4.x's rule), flag 1 stays primary.
    const digest = `f1a9${hex(62)}`;
    await api('POST', '/hashes', { digest, flag: 1, value: 50 });
    await api('POST', '/hashes', { digest, flag: 2, value: 20 });
    try {
      await nav('Hashes');
      await page.getByLabel('Digest prefix').fill('f1a9');
      await tableRows(1);
      const row = page.getByRole('table').locator('tbody tr');
      expect(await row.getByRole('listitem').allTextContents()).toEqual(['FUZZY_DENIED (1), value 50', 'FUZZY_PROB (2), value 20']);
      // The flag filter finds it by its second slot too.
      await page.getByLabel('Flag', { exact: true }).selectOption('2');
      await page.waitForFunction(() => new URL(location.href).searchParams.get('flag') === '2');
      await tableRows(1);
      await shot('hashes-multi-flag', { fullPage: false });

      await row.getByRole('link').click();
      await heading('Hash');
      await visible(page.getByText('Flags (2)'));
      const facts = page.locator('dl.facts');
      expect(await facts.getByRole('listitem').allTextContents()).toEqual(['FUZZY_DENIED (1), value 50', 'FUZZY_PROB (2), value 20']);

      // A repeated flag is refused next to its row before anything is sent.
      await page.getByRole('button', { name: 'Add a flag' }).click();
      await page.getByLabel('Flag 3', { exact: true }).fill('2');
      await page.getByRole('button', { name: 'Save flags' }).click();
      await visible(page.getByText('Flag 2 is already in slot 2'));
      await page.getByLabel('Flag 3', { exact: true }).fill('7');
      await page.getByLabel('Value 3', { exact: true }).fill('5');
      await page.getByLabel('Value 2', { exact: true }).fill('30');
      await shot('hash-detail-multi-flag-edit');
      await page.getByRole('button', { name: 'Save flags' }).click();
      await visible(page.getByText('Saved: FUZZY_DENIED (1) = 50, FUZZY_PROB (2) = 30, flag 7 = 5.'));
      await visible(page.getByText('Flags (3)'));
      expect(await facts.getByRole('listitem').allTextContents()).toEqual(['FUZZY_DENIED (1), value 50', 'FUZZY_PROB (2), value 30', 'flag 7, value 5']);

      // Removing the primary slot makes the next one primary.
      await page.getByRole('button', { name: 'Remove slot 1' }).click();
      await page.getByRole('button', { name: 'Save flags' }).click();
      await visible(page.getByText('Flags (2)'));
      const stored = (await (await api('GET', `/hashes/${digest}`)).json()) as { flag: number; flags: { flag: number; value: number }[] };
      expect(stored.flag).toBe(2);
      expect(stored.flags.map((f) => [f.flag, f.value])).toEqual([[2, 30], [7, 5]]);
      // The UDP plane answers a 3.x client with the new primary slot.
      const client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 500, retries: 1 });
      try {
        expect(await client.check(digest)).toMatchObject({ prob: 1, flag: 2, value: 30 });
      } finally {
        await client.close();
      }
    } finally {
      await api('DELETE', `/hashes/${digest}`);
    }
  });

  it('adds and removes a network in the write allow map, with a bad CIDR refused inline', async () => {
    await nav('Allow maps');
    const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'Allowed to write' }) });
    await visible(card.getByRole('rowheader', { name: '127.0.0.1/32' }));

    await card.getByLabel('Network').fill('10.0.0.999/8');
    await card.getByRole('button', { name: 'Add', exact: true }).click();
    await visible(card.getByText("'10.0.0.999/8' is not an IP address or CIDR"));
    expect(await card.getByLabel('Network').getAttribute('aria-invalid')).toBe('true');
    await shot('access-invalid', { fullPage: false });

    await card.getByLabel('Network').fill('198.51.100.0/24');
    await card.getByLabel('Comment').fill('learners');
    await card.getByRole('button', { name: 'Add', exact: true }).click();
    await visible(card.getByRole('rowheader', { name: '198.51.100.0/24' }));
    await shot('access');

    await card.getByRole('button', { name: 'Remove 198.51.100.0/24' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove 198.51.100.0/24?' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await visible(card.getByText('Removed 198.51.100.0/24.'));
    await card.getByRole('rowheader', { name: '198.51.100.0/24' }).waitFor({ state: 'detached' });
    const left = (await (await api('GET', '/allow-update')).json()) as { cidr: string }[];
    expect(left.map((n) => n.cidr)).not.toContain('198.51.100.0/24');
  });

  it('edits an access setting: a bad value refused inline from the API, a good one shown with its source, then reset', async () => {
    await nav('Allow maps');
    const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'Access settings' }) });
    const row = card.getByRole('row', { name: /ratelimit_network_mask/ });
    await visible(row.getByText('default', { exact: true }));

    await card.getByRole('button', { name: 'Edit ratelimit_network_mask' }).click();
    const input = card.getByLabel('ratelimit_network_mask', { exact: true });
    await input.fill('200');
    await card.getByRole('button', { name: 'Save' }).click();
    await visible(card.getByText('must be an integer in 0..128 (got 200)'));
    expect(await input.getAttribute('aria-invalid')).toBe('true');

    await input.fill('20');
    await card.getByRole('button', { name: 'Save' }).click();
    await visible(card.getByText('Set ratelimit_network_mask; it applies to the next request.'));
    await visible(row.getByText('API', { exact: true }));
    await visible(row.getByRole('cell', { name: '20', exact: true }));
    const stored = (await (await api('GET', '/access/settings')).json()) as { name: string; value: unknown; source: string }[];
    expect(stored.find((s) => s.name === 'ratelimit_network_mask')).toMatchObject({ value: 20, source: 'rest' });
    await shot('access-settings');

    await card.getByRole('button', { name: 'Reset ratelimit_network_mask' }).click();
    await visible(card.getByText('ratelimit_network_mask is back to its default value.'));
    await visible(row.getByRole('cell', { name: '24', exact: true }));
  });

  it('shows the neural profile with its counts and lock, breaks the lock, trains and sees the version go up', async () => {
    await nav('Neural');
    const card = page.locator('section.neural-set', { has: page.getByRole('heading', { name: /default\s*\/\s*default/ }) });
    await visible(card.getByText('version 0', { exact: true }));
    await visible(card.getByText(`Spam ${N_SPAM} / 10`));
    await visible(card.getByText(`Ham ${N_HAM} / 10`));
    await visible(card.getByText(new RegExp(`Held by ${LOCK_HOST.replace(/\./g, '\\.')} for \\d+ s; expires at`)));
    await shot('neural-locked');

    await card.getByRole('button', { name: 'Break lock…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Break the lock of default/default?' });
    await confirm.getByRole('button', { name: 'Break lock' }).click();
    await visible(card.getByText('Unlocked'));

    await card.getByRole('button', { name: 'Train now' }).click();
    await visible(card.getByRole('progressbar', { name: /Epochs of job/ }));
    await visible(card.getByText(/Published version 1/), 30_000);
    await visible(card.getByText('version 1', { exact: true }));
    await visible(card.locator('.recharts-surface'));
    const report = card.getByRole('region', { name: /Training report of job/ });
    await visible(report.getByText(/^Symbol network, hidden \d+$/));
    await visible(report.getByText(/ of \d+ rows, output above 0\.000 = spam$/));
    const versions = card.getByRole('table', { name: 'ANN versions of default/default' });
    await visible(versions.getByRole('row', { name: /^1 current/ }));
    await visible(versions.getByRole('row', { name: /^0 kept/ }));
    await page.waitForTimeout(300);
    await shot('neural');
  }, 60_000);

  it("shows a set in rspamd 4.x's layout with its generation, row width and obsolete version", async () => {
    await nav('Neural');
    const card = page.locator('section.neural-set', { has: page.getByRole('heading', { name: /fourx\s*\/\s*default/ }) });
    await visible(card.getByText('rspamd 4.x layout'));
    await visible(card.getByText('Redis only'));
    await visible(card.getByText('rn3_fourx_3_default'));
    await visible(card.getByText(/Rows are 46 metatokens/));
    const versions = card.getByRole('table', { name: 'ANN versions of fourx/default' });
    await visible(versions.getByRole('row', { name: /^1 current/ }));
    await visible(versions.getByRole('row', { name: /^0 obsolete/ }));
    await card.scrollIntoViewIfNeeded();
    await shot('neural-4x');
  });

  it('lists the server keys with what their clients may do', async () => {
    await nav('Keys');
    const row = page.getByRole('row', { name: new RegExp(SERVER_KEY.pubkey) });
    await visible(row);
    await visible(row.getByText('default'));
    await visible(row.getByText('check', { exact: true }));
    await shot('keys', { fullPage: false });
  });

  it('counts requests per key on the Keys page and per flag on the Flags page', async () => {
    const client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, encryptionKey: SERVER_KEY.pubkey, timeoutMs: 500, retries: 1 });
    try {
      for (let i = 0; i < 7; i++) await client.check(hex(64));
    } finally {
      await client.close();
    }
    await nav('Flags');
    const perFlag = page.getByRole('table', { name: 'Requests per flag' });
    // seedStore's five UDP WRITEs of flag 1.
    await visible(perFlag.getByRole('row', { name: /^FUZZY_DENIED \(1\) \S+ 5 / }));
    await nav('Keys');
    const perKey = page.getByRole('table', { name: 'Requests per key' });
    // Seven CHECKs encrypted to the key, all misses; plaintext has seedStore's and the multi-flag step's.
    await visible(perKey.getByRole('row', { name: new RegExp(`${SERVER_KEY.pubkey.slice(0, 12)}… 7 0 7 `) }));
    await visible(perKey.getByRole('row', { name: /^plaintext \(no key\) [1-9]\d* / }));
    await shot('key-stats');
  });

  it('adds a key, shows its private key once (copied to the clipboard), then disables it', async () => {
    await nav('Keys');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.getByRole('button', { name: 'Add key' }).click();
    const form = page.getByRole('dialog', { name: 'Add a key' });
    await form.getByLabel('Name').fill('browser partner');
    await form.getByLabel('write', { exact: true }).check();
    await form.getByLabel('Expires').fill('2099-12-31');
    await form.getByRole('button', { name: 'Create key' }).click();

    const secret = page.getByRole('dialog', { name: 'Key browser partner created' });
    await visible(secret.getByText(/only time the private key is shown/));
    const privkey = ((await secret.getByLabel('Private key', { exact: true }).textContent()) ?? '').trim();
    expect(privkey).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/);
    const pubkey = ((await secret.getByLabel('Public key (encryption_key)', { exact: true }).textContent()) ?? '').trim();
    await visible(secret.getByText(`encryption_key = "${pubkey}";`, { exact: false }));
    await secret.getByRole('button', { name: 'Copy private key' }).click();
    await visible(secret.getByText('Copied.'));
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(privkey);
    await shot('keys-created', { fullPage: false });
    await secret.getByRole('button', { name: 'I have saved it' }).click();

    const row = page.getByRole('table', { name: 'Keys', exact: true }).getByRole('row', { name: /browser partner/ });
    await visible(row.getByText('API', { exact: true }));
    expect(await page.content()).not.toContain(privkey);
    expect(await (await api('GET', '/keys')).text()).not.toContain(privkey);
    const client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, encryptionKey: pubkey, timeoutMs: 1000, retries: 2 });
    try {
      expect((await client.check(Buffer.from(hex(64), 'hex'))).value).toBe(0);
      await row.getByRole('button', { name: 'Disable browser partner' }).click();
      await page.getByRole('dialog', { name: 'Disable browser partner?' }).getByRole('button', { name: 'Disable' }).click();
      await visible(row.getByText('disabled', { exact: true }));
      await visible(page.getByText('Disabled browser partner.'));
      // Refused from the next request on, as an expired key is (403 to a 3.x client).
      expect(await client.check(Buffer.from(hex(64), 'hex'))).toMatchObject({ value: 403, prob: 0 });
    } finally {
      await client.close();
    }
    await visible(row.getByRole('button', { name: 'Enable browser partner' }));
    await shot('keys-disabled', { fullPage: false });
  });

  it('stays readable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, title, name] of [
      ['/', 'Overview', 'mobile-overview'],
      ['/hashes', 'Hashes', 'mobile-hashes'],
      ['/access', 'Allow maps', 'mobile-access'],
      ['/keys', 'Keys', 'mobile-keys'],
      ['/neural', 'Neural', 'mobile-neural'],
    ] as const) {
      await page.goto(`${base}${path}`);
      await heading(title);
      await page.waitForLoadState('networkidle').catch(() => undefined);
      // Nothing may force the page wider than the screen (tables scroll inside their own box).
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      expect(overflow, `${path} is wider than the phone`).toBeLessThanOrEqual(0);
      await shot(name, { fullPage: false });
    }
  });

  it('logs out', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Log out' }).click();
    await visible(page.getByLabel('API token'));
    expect(await page.evaluate("sessionStorage.getItem('fuzzyd.apiToken')")).toBeNull();
  });
});
