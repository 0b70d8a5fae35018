// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RateLimitState } from '../../../lib/api-types';
import { fakeApi, json } from '../../../test/fake-api';
import { RateLimitedNetworks } from './rate-limited-networks';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const STATE: RateLimitState = {
  enabled: true,
  logOnly: false,
  buckets: [
    { network: '192.0.2.0/24', banned: true, level: null, createdAt: '2026-12-03T10:00:00.000Z', expiresAt: '2026-12-03T11:00:00.000Z' },
    { network: '198.51.100.0/24', banned: false, level: 1.5, createdAt: '2026-12-03T10:00:00.000Z', expiresAt: '2026-12-03T11:00:00.000Z' },
  ],
};

describe('RateLimitedNetworks', () => {
  it('lists banned networks with a Lift button that calls DELETE and reloads', async () => {
    let lifted = false;
    const calls = fakeApi({
      'GET /ratelimits': () => json(lifted ? { ...STATE, buckets: [STATE.buckets[1]] } : STATE),
      'DELETE /ratelimits': () => {
        lifted = true;
        return new Response(null, { status: 204 });
      },
    });
    render(<RateLimitedNetworks />);
    const banned = (await screen.findByText('192.0.2.0/24')).closest('tr')!;
    expect(within(banned).getByText('banned')).toBeTruthy();
    expect(within(screen.getByText('198.51.100.0/24').closest('tr')!).queryByRole('button')).toBeNull();
    fireEvent.click(within(banned).getByRole('button', { name: 'Lift ban' }));
    expect(await screen.findByText('Lifted the ban on 192.0.2.0/24.')).toBeTruthy();
    expect(calls.some((c) => c.method === 'DELETE' && c.url.searchParams.get('network') === '192.0.2.0/24')).toBe(true);
    await waitFor(() => expect(screen.queryByText('192.0.2.0/24')).toBeNull());
  });

  it('says when no rate limit is configured', async () => {
    fakeApi({ 'GET /ratelimits': () => json({ enabled: false, logOnly: false, buckets: [] }) });
    render(<RateLimitedNetworks />);
    expect(await screen.findByText(/No rate limit is set/)).toBeTruthy();
  });
});
