// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HashDetail, HashFlagValue, HashItem, HashPatch } from '../../../lib/api-types';
import { type FakeCall, fakeApi, json, problem } from '../../../test/fake-api';
import { HashDetailPage } from './hash-detail-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const DIGEST = 'ab'.repeat(64);
const NAMES: Record<number, string> = { 1: 'FUZZY_DENIED', 2: 'FUZZY_PROB' };

function detail(flags: HashFlagValue[]): HashDetail {
  const named = flags.map((f) => ({ ...f, flagName: NAMES[f.flag] ?? null }));
  return { digest: DIGEST, flag: named[0].flag, flagName: named[0].flagName, value: named[0].value, flags: named, time: 1_700_000_000, shingles: [] };
}

/** A fake API holding one hash whose PATCH {flags} replaces its list, or answers `patchAnswer` when given. */
function renderPage(initial: HashFlagValue[], patchAnswer?: () => Response) {
  let stored = detail(initial);
  const calls = fakeApi({
    [`GET /hashes/${DIGEST}`]: () => json(stored),
    'GET /flags': () => json([{ flag: 1, name: 'FUZZY_DENIED', description: null, count: 1 }, { flag: 2, name: 'FUZZY_PROB', description: null, count: 1 }]),
    [`PATCH /hashes/${DIGEST}`]: ({ body }) => {
      if (patchAnswer) return patchAnswer();
      stored = detail((body as HashPatch).flags!);
      const { shingles: _, ...item } = stored;
      return json({ ...item, shingles: 0 } satisfies HashItem);
    },
  });
  render(
    <MemoryRouter initialEntries={[`/hashes/${DIGEST}`]}>
      <Routes>
        <Route path="/hashes/:digest" element={<HashDetailPage />} />
      </Routes>
    </MemoryRouter>,
  );
  return calls;
}

const patches = (calls: FakeCall[]): unknown[] => calls.filter((c) => c.method === 'PATCH').map((c) => c.body);
const input = (label: string): HTMLInputElement => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: string, text: string): void => {
  fireEvent.change(input(label), { target: { value: text } });
};
const facts = (): HTMLElement => screen.getByText('Digest').closest('dl')!;

describe('HashDetailPage: every flag of a hash', () => {
  it('lists every slot in the details, primary first, and fills the editor with them', async () => {
    renderPage([{ flag: 1, value: 50 }, { flag: 2, value: 20 }, { flag: 9, value: -1 }]);
    expect(await screen.findByText('Flags (3)')).toBeTruthy();
    expect(within(facts()).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'FUZZY_DENIED (1), value 50',
      'FUZZY_PROB (2), value 20',
      'flag 9, value -1',
    ]);
    expect([1, 2, 3].map((n) => [input(`Flag ${n}`).value, input(`Value ${n}`).value])).toEqual([['1', '50'], ['2', '20'], ['9', '-1']]);
    expect(screen.getByText('Primary')).toBeTruthy();
  });

  it('changes a value, removes a slot and adds one, then sends the whole list and shows the stored result', async () => {
    const calls = renderPage([{ flag: 1, value: 50 }, { flag: 2, value: 20 }]);
    await screen.findByText('Flags (2)');
    type('Value 2', '25');
    fireEvent.click(screen.getByRole('button', { name: 'Remove slot 1' }));
    // The old slot 2 is now the primary one, with what was typed into it.
    expect([input('Flag 1').value, input('Value 1').value]).toEqual(['2', '25']);
    fireEvent.click(screen.getByRole('button', { name: 'Add a flag' }));
    type('Flag 2', '7');
    type('Value 2', '3');
    fireEvent.click(screen.getByRole('button', { name: 'Save flags' }));
    expect(await screen.findByText('Saved: FUZZY_PROB (2) = 25, flag 7 = 3.')).toBeTruthy();
    expect(patches(calls)).toEqual([{ flags: [{ flag: 2, value: 25 }, { flag: 7, value: 3 }] }]);
    await waitFor(() => expect(within(facts()).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['FUZZY_PROB (2), value 25', 'flag 7, value 3']));
  });

  it('refuses a repeated flag and an unchanged list next to the rows, without calling the API', async () => {
    const calls = renderPage([{ flag: 1, value: 50 }, { flag: 2, value: 20 }]);
    await screen.findByText('Flags (2)');
    fireEvent.click(screen.getByRole('button', { name: 'Save flags' }));
    expect(await screen.findByText('Nothing changed')).toBeTruthy();
    type('Flag 2', '1');
    fireEvent.click(screen.getByRole('button', { name: 'Save flags' }));
    expect(await screen.findByText('Flag 1 is already in slot 1')).toBeTruthy();
    expect(input('Flag 2').getAttribute('aria-invalid')).toBe('true');
    expect(patches(calls)).toEqual([]);
  });

  it('keeps between 1 and 8 slots: the last slot cannot be removed, a ninth cannot be added', async () => {
    renderPage([{ flag: 1, value: 50 }]);
    await screen.findByText('Flag');
    expect((screen.getByRole('button', { name: 'Remove slot 1' }) as HTMLButtonElement).disabled).toBe(true);
    const addButton = screen.getByRole('button', { name: 'Add a flag' }) as HTMLButtonElement;
    for (let i = 0; i < 7; i++) fireEvent.click(addButton);
    expect(screen.getAllByRole('button', { name: /^Remove slot/ })).toHaveLength(8);
    expect(addButton.disabled).toBe(true);
  });

  it("shows the server's field error on the slot it names", async () => {
    renderPage([{ flag: 1, value: 50 }, { flag: 2, value: 20 }], () => problem(400, 'flags[1].value: must be an integer in -2147483648..2147483647 (got 1e+21)', 'flags[1].value'));
    await screen.findByText('Flags (2)');
    type('Value 2', '21');
    fireEvent.click(screen.getByRole('button', { name: 'Save flags' }));
    expect(await screen.findByText('must be an integer in -2147483648..2147483647 (got 1e+21)')).toBeTruthy();
    expect(input('Value 2').getAttribute('aria-invalid')).toBe('true');
  });
});
