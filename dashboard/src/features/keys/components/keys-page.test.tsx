// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyCreated, KeyInfo } from '../../../lib/api-types';
import { fakeApi, json, problem } from '../../../test/fake-api';
import { keyCreateBody } from './create-key-dialog';
import { KeysPage } from './keys-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** The shared machine can be slow: waits that only bound how long a step may take, never what it does. */
const SLOW = { timeout: 5000 };

const key = (over: Partial<KeyInfo>): KeyInfo => ({
  id: 'i'.repeat(103), pubkey: 'p'.repeat(52), name: null, source: 'static', default: false,
  rights: { read: true, write: false, delete: false }, allowUpdate: false, expireAt: null, expired: false, forbiddenIds: null, ratelimit: null, disabled: false, ...over,
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

  it('creates a key, shows its private key once with a copy button, then never again', async () => {
    const made = key({ id: 'm'.repeat(103), pubkey: 'newpub', name: 'partner', source: 'admin', rights: { read: true, write: true, delete: false } });
    const listed: KeyInfo[] = [];
    const calls = fakeApi({
      'GET /keys': () => json(listed),
      'POST /keys': () => {
        listed.push(made);
        return json({ key: made, privkey: 'secretprivkey', rspamdRule: 'rule "fuzzyd-partner" {\n  encryption_key = "newpub";\n}\n' } satisfies KeyCreated, 201);
      },
    });
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    render(<KeysPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add key' }, SLOW));
    const form = await screen.findByRole('dialog', { name: 'Add a key' }, SLOW);
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: ' partner ' } });
    fireEvent.click(within(form).getByLabelText('write'));
    fireEvent.change(within(form).getByLabelText('Forbidden flags'), { target: { value: '11, 12' } });
    fireEvent.change(within(form).getByLabelText('Rate limit'), { target: { value: '1000 / 1h' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create key' }));

    const secret = await screen.findByRole('dialog', { name: 'Key partner created' }, SLOW);
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ name: 'partner', allowedOps: ['read', 'write'], forbiddenIds: [11, 12], ratelimit: '1000 / 1h' });
    expect(within(secret).getByText(/only time the private key is shown/)).toBeTruthy();
    expect(within(secret).getByLabelText('Private key').textContent).toBe('secretprivkey');
    fireEvent.click(within(secret).getByRole('button', { name: 'Copy private key' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('secretprivkey'), SLOW);
    expect(await within(secret).findByText('Copied.', {}, SLOW)).toBeTruthy();
    fireEvent.click(within(secret).getByRole('button', { name: 'I have saved it' }));
    await waitFor(() => expect(screen.queryByText('secretprivkey')).toBeNull(), SLOW);
    const row = (await screen.findByText('newpub', {}, SLOW)).closest('tr')!;
    expect(within(row).getByText('API')).toBeTruthy();
    expect(within(row).getByRole('button', { name: 'Delete partner' })).toBeTruthy();
  });

  it('shows the field the API refused next to it', async () => {
    fakeApi({ 'GET /keys': () => json([]), 'POST /keys': () => problem(400, 'ratelimit: must be "N / T", e.g. "1000 / 1h"', 'ratelimit') });
    render(<KeysPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add key' }));
    const form = await screen.findByRole('dialog', { name: 'Add a key' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'x' } });
    fireEvent.change(within(form).getByLabelText('Rate limit'), { target: { value: 'fast' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create key' }));
    expect(await within(form).findByText('Must be "N / T", e.g. "1000 / 1h"')).toBeTruthy();
  });

  it('disables a configuration key after confirming, and enables it again; only API keys can be deleted', async () => {
    let current = key({ id: 's'.repeat(103), pubkey: 'staticpub', name: 'static' });
    const calls = fakeApi({
      'GET /keys': () => json([current]),
      'PATCH /keys/*': (call) => {
        current = { ...current, disabled: (call.body as { disabled: boolean }).disabled };
        return json(current);
      },
    });
    render(<KeysPage />);
    await screen.findByText('staticpub');
    expect(screen.queryByRole('button', { name: 'Delete static' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Disable static' }));
    const dialog = await screen.findByRole('dialog', { name: 'Disable static?' });
    expect(within(dialog).getByText(/The configuration is not changed/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Disable' }));
    expect(await screen.findByText('Disabled static.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ disabled: true });
    const row = (await screen.findByText('staticpub')).closest('tr')!;
    await waitFor(() => expect(within(row).getByText('disabled')).toBeTruthy());
    fireEvent.click(within(row).getByRole('button', { name: 'Enable static' }));
    expect(await screen.findByText('Enabled static.')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ disabled: true }, { disabled: false }]);
  });
});

describe('the create-key form checks with the API schema', () => {
  const values = { name: 'k', read: true, write: false, delete: false, expire: '', forbiddenIds: '', ratelimit: '' };
  it('builds the body the API takes, and names what is wrong', () => {
    expect(keyCreateBody({ ...values, expire: '2027-01-31', delete: true })).toEqual({
      body: { name: 'k', allowedOps: ['read', 'delete'], expire: '2027-01-31' },
      errors: {},
    });
    expect(keyCreateBody({ ...values, name: ' ' }).errors).toEqual({ name: 'Enter a name' });
    expect(keyCreateBody({ ...values, forbiddenIds: '1, x' }).errors).toEqual({ forbiddenIds: 'Flag numbers separated by commas, e.g. 11, 12' });
    expect(keyCreateBody({ ...values, name: 'x'.repeat(65) }).errors).toEqual({ name: 'Must be at most 64 characters (got 65)' });
  });
});
