// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyInfo } from '../../../lib/api-types';
import { fakeApi, json } from '../../../test/fake-api';
import { KeysPage } from './keys-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const key = (over: Partial<KeyInfo>): KeyInfo => ({
  id: 'i'.repeat(103), pubkey: 'p'.repeat(52), name: null, source: 'static', default: false,
  rights: { read: true, write: false, delete: false }, allowUpdate: false, expireAt: null, expired: false, forbiddenIds: null, ...over,
});

describe('KeysPage', () => {
  it('shows each key with what its clients may do, its expiry and the default key', async () => {
    fakeApi({
      'GET /keys': () =>
        json([
          key({ id: 'a', pubkey: 'writerpub', name: 'writer', rights: { read: true, write: true, delete: false }, expireAt: '2020-01-01T00:00:00.000Z', expired: true }),
          key({ id: 'b', pubkey: 'listedpub', allowUpdate: true, default: true }),
          key({ id: 'c', pubkey: 'blindpub', name: 'blind', source: 'dynamic', rights: { read: false, write: false, delete: false }, forbiddenIds: [7] }),
        ]),
    });
    render(<KeysPage />);
    const writer = (await screen.findByText('writer')).closest('tr')!;
    expect(within(writer).getByText(/check, write/)).toBeTruthy();
    expect(within(writer).getByText('expired 2020-01-01')).toBeTruthy();
    const listed = screen.getByText('listedpub').closest('tr')!;
    expect(within(listed).getByText('default')).toBeTruthy();
    expect(within(listed).getByText(/check, write, delete/)).toBeTruthy();
    const blind = screen.getByText('blind').closest('tr')!;
    expect(within(blind).getByText(/nothing/)).toBeTruthy();
    expect(within(blind).getByText('dynamic map')).toBeTruthy();
    expect(within(blind).getByText('7')).toBeTruthy();
  });

  it('says how to add keys when there are none', async () => {
    fakeApi({ 'GET /keys': () => json([]) });
    render(<KeysPage />);
    expect(await screen.findByText(/No keys: fuzzyd answers plaintext requests only/)).toBeTruthy();
  });
});
