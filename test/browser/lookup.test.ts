/**
 * From a false positive to its hash, in real Chromium: a real rspamd 4.1.5 (sid chroot) learns a real message into a
 * real fuzzyd child process; the admin uploads that message on the Lookup page, sees the stored hash that hits it with
 * who added it, deletes it in one click (and a confirmation), and a CHECK of the message's digest then misses.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { launchChromium } from '../helpers/chromium.js';
import { type FuzzydProcess, startFuzzyd } from '../helpers/fuzzyd-process.js';
import { freeUdpPort } from '../helpers/ports.js';
import { generation, unavailableReason } from '../helpers/rspamd-generation.js';
import { type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-results/screenshots`;
const PHISHING = join(ROOT, 'test/interop/messages/phishing-bank.eml');
const TOKEN = 'fzd_browser_lookup_token_0123456789abcdef';
const WAIT_MS = 15_000;

const gen = generation('4.1.5');
const skip = unavailableReason(gen);

describe.skipIf(skip !== null)(`the Lookup page, from upload to delete (${skip ?? 'rspamd 4.1.5, Chromium'})`, () => {
  let scanner: RspamdScanner;
  let fuzzyd: FuzzydProcess;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    const udpPort = await freeUdpPort();
    scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${udpPort}` });
    fuzzyd = await startFuzzyd({
      FUZZYD_UDP: `127.0.0.1:${udpPort}`,
      FUZZYD_TCP: 'false',
      FUZZYD_ADMIN_TOKEN: TOKEN,
      FUZZYD_RSPAMD_CONTROLLER_URL: `http://127.0.0.1:${scanner.controllerPort}`,
      FUZZYD_RSPAMD_CONTROLLER_PASSWORD: 'fuzzyd-interop',
    });
    base = `http://127.0.0.1:${fuzzyd.httpPort}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await fuzzyd?.stop();
    await scanner?.stop();
  });

  it('shows the hash a learned message hits, its history, and deletes it so the message no longer hits', async () => {
    const learned = await scanner.fuzzyAdd(PHISHING, 1, 10);
    const digest = learned.hashes[0];
    const udp = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 1000, retries: 2 });
    try {
      expect((await udp.check(digest)).prob).toBe(1);

      await page.goto(`${base}/login`);
      await page.getByLabel('API token').fill(TOKEN);
      await page.getByRole('button', { name: /sign in|log in/i }).click();
      await page.getByRole('link', { name: 'Lookup' }).click();
      await page.getByLabel('EML file').setInputFiles(PHISHING);
      await page.getByRole('button', { name: 'Look up' }).click();

      const card = page.locator(`.lookup-hash[data-digest="${digest}"]`);
      await card.waitFor();
      await expect.poll(() => card.textContent()).toContain('Exact match');
      await card.getByText(/History/).click();
      const history = await card.locator('.history-table').textContent();
      expect(history).toContain('127.0.0.1');
      expect(history).toContain('write (added)');
      await page.screenshot({ path: `${SHOTS}/lookup.png`, fullPage: true });

      // The hash's own page shows the same history and its (empty) near-duplicate cluster.
      await card.getByRole('link').first().click();
      await page.getByRole('heading', { name: 'History' }).waitFor();
      await expect.poll(() => page.locator('.history-table').textContent()).toContain('127.0.0.1');
      await expect.poll(() => page.locator('.explain-table').textContent()).toContain('32 / 32');
      await page.screenshot({ path: `${SHOTS}/hash-detail-history.png`, fullPage: true });
      await page.goBack();

      // Back on the lookup: delete from there.
      await page.getByLabel('EML file').setInputFiles(PHISHING);
      await page.getByRole('button', { name: 'Look up' }).click();
      await card.waitFor();
      await card.getByRole('button', { name: 'Delete hash' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.getByText('was deleted').waitFor();
      await page.locator('.lookup-miss').waitFor();

      expect((await udp.check(digest)).prob).toBe(0);
      expect((await scanner.scan(PHISHING)).symbols.FUZZY_DENIED).toBeUndefined();
    } finally {
      await udp.close();
    }
  });
});
