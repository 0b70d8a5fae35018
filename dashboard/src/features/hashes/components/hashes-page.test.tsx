// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HashItem, HashPage } from '../../../lib/api-types';
import { type FakeCall, fakeApi, json } from '../../../test/fake-api';
import { HashesPage } from './hashes-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const item = (hexByte: string, flag = 1, extra: HashItem['flags'] = []): HashItem => {
  const flagName = flag === 1 ? 'spam' : null;
  return { digest: hexByte.repeat(64), flag, flagName, value: 10, flags: [{ flag, value: 10, flagName }, ...extra], time: 1_700_000_000, shingles: 32 };
};
const PAGES: Record<string, HashPage> = {
  '': { items: [item('01'), item('02', 1, [{ flag: 7, value: -3, flagName: null }, { flag: 2, value: 4, flagName: 'probable' }])], nextCursor: '02'.repeat(64) },
  ['02'.repeat(64)]: { items: [item('03'), item('04', 2)], nextCursor: null },
};

function renderPage(path = '/hashes') {
  const calls = fakeApi({
    'GET /hashes': ({ url }) => json(PAGES[url.searchParams.get('cursor') ?? ''] ?? { items: [], nextCursor: null }),
    'GET /flags': () => json([{ flag: 1, name: 'spam', description: null, count: 3 }, { flag: 2, name: null, description: null, count: 1 }]),
    'DELETE /hashes/*': () => new Response(null, { status: 204 }),
  });
  render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/hashes" element={<HashesPage />} />
      </Routes>
    </MemoryRouter>,
  );
  return calls;
}

const listCalls = (calls: FakeCall[]): URLSearchParams[] => calls.filter((c) => c.method === 'GET' && c.url.pathname === '/api/v1/hashes').map((c) => c.url.searchParams);

describe('HashesPage', () => {
  it('shows a page of hashes in a table with headers, and pages forward and back with the cursor', async () => {
    const calls = renderPage();
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Digest', 'Flags', 'Last write', 'Shingles', 'Actions']);
    expect(within(table).getByRole('link', { name: /Hash 0101/ })).toBeTruthy();
    expect(screen.getByText(/Page 1/)).toBeTruthy();
    expect((screen.getByRole('button', { name: '← Previous' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Next →' }));
    expect(await screen.findByRole('link', { name: /Hash 0303/ })).toBeTruthy();
    expect(screen.getByText(/Page 2/)).toBeTruthy();
    expect(listCalls(calls).at(-1)!.get('cursor')).toBe('02'.repeat(64));
    expect((screen.getByRole('button', { name: 'Next →' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: '← Previous' }));
    expect(await screen.findByRole('link', { name: /Hash 0101/ })).toBeTruthy();
    expect(listCalls(calls).at(-1)!.get('cursor')).toBeNull();
    expect(listCalls(calls).every((p) => p.get('limit') === '50')).toBe(true);
  });

  it('shows every flag of a hash as a chip with its value, primary first and marked', async () => {
    renderPage();
    const table = await screen.findByRole('table');
    const rowOf = (hexByte: string): HTMLElement => within(table).getByRole('link', { name: new RegExp(`Hash ${hexByte}`) }).closest('tr')!;
    const chips = (row: HTMLElement): string[] => within(row).getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(chips(rowOf('0101'))).toEqual(['spam (1), value 10']);
    expect(chips(rowOf('0202'))).toEqual(['spam (1), value 10', 'flag 7, value -3', 'probable (2), value 4']);
    const [primary, ...others] = within(rowOf('0202')).getAllByRole('listitem');
    expect(primary.className).toContain('flag-chip-primary');
    expect(primary.getAttribute('title')).toMatch(/rspamd 3\.x/);
    expect(others.every((li) => !li.className.includes('primary'))).toBe(true);
  });

  it('searches by digest prefix, and shows an inline error instead of searching for non-hex input', async () => {
    const calls = renderPage();
    await screen.findByRole('table');
    const search = screen.getByLabelText('Digest prefix');
    fireEvent.change(search, { target: { value: 'zz' } });
    expect(await screen.findByText('Use hexadecimal characters only (0-9, a-f)')).toBeTruthy();
    expect(search.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(search, { target: { value: '0A' } });
    await waitFor(() => expect(listCalls(calls).at(-1)!.get('prefix')).toBe('0a'));
    expect(listCalls(calls).some((p) => p.get('prefix') === 'zz')).toBe(false);
  });

  it('filters by flag from the URL and lists the flags with their names', async () => {
    const calls = renderPage('/hashes?flag=2');
    await screen.findByRole('table');
    expect(listCalls(calls)[0].get('flag')).toBe('2');
    const select = screen.getByLabelText('Flag') as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe('2'));
    expect([...select.options].map((o) => o.textContent)).toEqual(['All flags', 'spam (1) — 3', 'flag 2 — 1']);
  });

  it('deletes a hash only after confirmation, then reloads the page', async () => {
    const calls = renderPage();
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: /Delete hash 0101/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this hash?' });
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    const before = listCalls(calls).length;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText(/Deleted hash 0101/)).toBeTruthy();
    expect(calls.find((c) => c.method === 'DELETE')!.url.pathname).toBe(`/api/v1/hashes/${'01'.repeat(64)}`);
    await waitFor(() => expect(listCalls(calls).length).toBeGreaterThan(before));
  });
});
