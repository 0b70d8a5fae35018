// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessSettingItem } from '../../../lib/api-types';
import { fakeApi, json, problem } from '../../../test/fake-api';
import { AccessSettingsCard } from './access-settings-card';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const item = (over: Partial<AccessSettingItem>): AccessSettingItem => ({
  name: 'delay',
  env: 'FUZZYD_DELAY',
  kind: 'optional-duration',
  description: 'A hash written less than about 1 to 1.5 × this ago is answered as a miss',
  value: 30,
  source: 'file',
  configured: { value: 30, source: 'file' },
  files: [],
  updatedAt: null,
  ...over,
});

describe('AccessSettingsCard', () => {
  it("sends the edit field's text as the API's JSON: 'off' turns an optional setting off, lists are split", async () => {
    const calls = fakeApi({
      'GET /access/settings': () => json([item({}), item({ name: 'forbidden_ids', kind: 'flag-ids', value: [], source: 'default' })]),
      'PATCH /access/settings': () => json([]),
    });
    render(<AccessSettingsCard />);
    expect(within((await screen.findByText('delay')).closest('tr')!).getByText('30 s')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Edit delay' }));
    fireEvent.change(screen.getByLabelText('delay', { exact: true }), { target: { value: 'off' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Set delay; it applies to the next request.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Edit forbidden_ids' }));
    fireEvent.change(screen.getByLabelText('forbidden_ids', { exact: true }), { target: { value: '11, 12 13' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ delay: false }, { forbidden_ids: [11, 12, 13] }]));
  });

  it("shows the API's 400 next to the field, also when it names an item of a list", async () => {
    fakeApi({
      'GET /access/settings': () => json([item({ name: 'forbidden_ids', kind: 'flag-ids', value: [], source: 'default' })]),
      'PATCH /access/settings': () => problem(400, 'forbidden_ids[1]: must be an integer in 0..4294967295 (got -2)', 'forbidden_ids[1]'),
    });
    render(<AccessSettingsCard />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit forbidden_ids' }));
    const input = screen.getByLabelText('forbidden_ids', { exact: true });
    fireEvent.change(input, { target: { value: '1, -2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('must be an integer in 0..4294967295 (got -2)')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
  });

  it('offers Reset only for a value set over the API, and calls DELETE with its name', async () => {
    const calls = fakeApi({
      'GET /access/settings': () => json([item({ source: 'rest', value: 5, updatedAt: '2026-12-04T01:00:00.000Z' }), item({ name: 'weak_ids', kind: 'flag-ids', value: [] })]),
      'DELETE /access/settings/delay': () => json(item({})),
    });
    render(<AccessSettingsCard />);
    fireEvent.click(await screen.findByRole('button', { name: 'Reset delay' }));
    expect(await screen.findByText('delay is back to its file value.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Reset weak_ids' })).toBeNull();
    expect(calls.some((c) => c.method === 'DELETE')).toBe(true);
  });
});
