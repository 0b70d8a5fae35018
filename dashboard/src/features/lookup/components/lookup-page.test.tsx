// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LookupHash, LookupResult } from '../../../lib/api-types';
import { fakeApi, json } from '../../../test/fake-api';
import { LookupPage } from './lookup-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const STORED = 'ab'.repeat(64);
const NEAR = 'cd'.repeat(64);
const PART = 'ef'.repeat(64);

const stored = (digest: string, flag: number): LookupHash => ({
  hash: { digest, flag, flagName: 'spam', value: 10, flags: [{ flag, value: 10, flagName: 'spam' }], time: 1_700_000_000, shingles: 32 },
  ageSeconds: 3600,
  history: [{ time: '2026-12-01T10:00:00.000Z', via: 'udp', actor: '192.0.2.25', source: '192.0.2.25', action: 'write', outcome: 'added', digest, flag, value: 10, detail: null }],
});

const RESULT: LookupResult = {
  controller: 'http://127.0.0.1:11334',
  flag: 1,
  rules: [{ rule: 'local', parts: [{ index: 1, digest: PART, exact: stored(STORED, 1), shingles: [{ ...stored(NEAR, 1), positions: 27, probability: 0.84 }] }] }],
  symbols: [{ symbol: 'FUZZY_DENIED', options: ['1:abababab:1.00:txt'] }],
  notes: [],
};

const FLAGS = [
  { flag: 1, name: 'spam', description: null, count: 2 },
  { flag: 3, name: 'whitelist', description: null, count: 0 },
];

function renderPage() {
  render(
    <MemoryRouter>
      <LookupPage />
    </MemoryRouter>,
  );
}

describe('LookupPage', () => {
  it('sends the pasted message as message/rfc822 and shows each hit with its positions and who wrote it', async () => {
    const calls = fakeApi({ 'POST /lookup': () => json(RESULT), 'GET /flags': () => json(FLAGS) });
    renderPage();
    fireEvent.change(screen.getByLabelText('Message source'), { target: { value: 'Subject: hi\n\nbody' } });
    fireEvent.click(screen.getByRole('button', { name: 'Look up' }));
    expect(await screen.findByText('Exact match:')).toBeTruthy();
    expect(screen.getByText('Shingle match, 27 of 32 positions:')).toBeTruthy();
    expect(screen.getAllByText('192.0.2.25')).toHaveLength(2);
    const sent = calls.find((c) => c.method === 'POST')!;
    expect(sent.body).toBe('Subject: hi\n\nbody');
  });

  it('whitelists a hit with the flag named whitelist, keeping its weight, and looks the message up again', async () => {
    const calls = fakeApi({
      'POST /lookup': () => json(RESULT),
      'GET /flags': () => json(FLAGS),
      [`PATCH /hashes/${STORED}`]: () => json(stored(STORED, 3).hash),
    });
    renderPage();
    fireEvent.change(screen.getByLabelText('Message source'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Look up' }));
    await screen.findByText('Exact match:');
    fireEvent.click(screen.getAllByRole('button', { name: 'Whitelist' })[0]);
    expect(await screen.findByText(/is whitelisted \(flag 3\)/)).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ flags: [{ flag: 3, value: 10 }] });
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2);
  });

  it('says what to configure when fuzzyd has no rspamd controller', async () => {
    fakeApi({
      'POST /lookup': () => json({ type: 'about:blank', title: 'Not Implemented', status: 501, detail: 'message lookup needs an rspamd >= 3.6 controller' }, 501),
      'GET /flags': () => json(FLAGS),
    });
    renderPage();
    fireEvent.change(screen.getByLabelText('Message source'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Look up' }));
    expect(await screen.findByText(/set FUZZYD_RSPAMD_CONTROLLER_URL/)).toBeTruthy();
  });
});
