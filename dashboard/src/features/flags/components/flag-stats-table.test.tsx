// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json } from '../../../test/fake-api';
import { FlagStatsTable } from './flag-stats-table';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('FlagStatsTable', () => {
  it('shows each flag by name where it has one, and the overflow row last', async () => {
    fakeApi({
      'GET /stats/flags': () =>
        json({
          flags: [
            { flag: 1, name: 'FUZZY_DENIED', hits: 1500, writes: 3, deletes: 1, refused: 2 },
            { flag: 300, name: null, hits: 0, writes: 0, deletes: 0, refused: 4 },
            { flag: null, name: null, hits: 0, writes: 9, deletes: 0, refused: 0 },
          ],
        }),
    });
    render(<FlagStatsTable />);
    const denied = (await screen.findByText('FUZZY_DENIED (1)')).closest('tr')!;
    expect(within(denied).getByText('1,500')).toBeTruthy();
    expect(within(screen.getByText('flag 300').closest('tr')!).getByText('4')).toBeTruthy();
    expect(within(screen.getByText('other flags').closest('tr')!).getByText('9')).toBeTruthy();
  });

  it('says when nothing was counted yet', async () => {
    fakeApi({ 'GET /stats/flags': () => json({ flags: [] }) });
    render(<FlagStatsTable />);
    expect(await screen.findByText(/No CHECK hit, write or delete since start/)).toBeTruthy();
  });
});
