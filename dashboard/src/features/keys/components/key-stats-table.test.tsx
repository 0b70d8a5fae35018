// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyRequestStats } from '../../../lib/api-types';
import { fakeApi, json } from '../../../test/fake-api';
import { KeyStatsTable } from './key-stats-table';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const row = (over: Partial<KeyRequestStats>): KeyRequestStats => ({
  row: 'key', id: null, name: null, pubkeyStart: null, source: null, inRing: true, requests: 0, checks: 0, hits: 0, misses: 0,
  writes: 0, deletes: 0, refused: { ratelimited: 0, forbidden: 0, expired: 0, overloaded: 0 }, skipped: 0, errors: 0, other: 0, ...over,
});

describe('KeyStatsTable', () => {
  it('shows plaintext, each key with the start of its public key, refusals summed with their reasons, and removed keys', async () => {
    fakeApi({
      'GET /stats/keys': () =>
        json({
          maxKeys: 256,
          keys: [
            row({ row: 'plaintext', checks: 4, hits: 1, misses: 3 }),
            row({ id: 'id-a', name: 'customer-a', pubkeyStart: 'abcdefghijkm', source: 'static', checks: 1234, hits: 1000, refused: { ratelimited: 2, forbidden: 1, expired: 0, overloaded: 0 } }),
            row({ id: 'id-b', pubkeyStart: 'zyxwvutsrqpo', source: 'dynamic', inRing: false, writes: 7 }),
          ],
        }),
    });
    render(<KeyStatsTable />);
    const a = (await screen.findByText('customer-a')).closest('tr')!;
    expect(within(a).getByText('1,234')).toBeTruthy();
    expect(within(a).getByText('abcdefghijkm…')).toBeTruthy();
    expect(within(a).getByText('3').getAttribute('title')).toMatch(/rate-limited 2, forbidden 1/);
    const plain = screen.getByText(/plaintext/).closest('tr')!;
    expect(within(plain).getByText('4')).toBeTruthy();
    const removed = screen.getByText('zyxwvutsrqpo…').closest('tr')!;
    expect(within(removed).getByText('removed')).toBeTruthy();
    expect(within(removed).getByText('7')).toBeTruthy();
  });

  it('says so when the counts cannot be loaded', async () => {
    fakeApi({});
    render(<KeyStatsTable />);
    expect(await screen.findByText(/Could not load the per-key counts/)).toBeTruthy();
  });
});
