import { type Browser, chromium } from 'playwright-core';

/** The distribution's Chromium (playwright-core brings no browser of its own). */
const CHROMIUM = '/usr/bin/chromium';
// Without these Chromium stalls on network lookups (updates, sync, QUIC probes) on a machine without internet.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** A headless Chromium for the browser tests (test/browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
