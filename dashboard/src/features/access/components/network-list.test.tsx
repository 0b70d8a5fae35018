// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetworkItem } from '../../../lib/api-types';
import { fakeApi, json, problem } from '../../../test/fake-api';
import { NetworkList } from './network-list';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const CONFIG: NetworkItem = { id: 'config-0', cidr: '127.0.0.1/32', comment: null, source: 'config', readOnly: true, createdAt: null };

function renderList() {
  const stored: NetworkItem[] = [CONFIG];
  const calls = fakeApi({
    'GET /allow-update': () => json(stored),
    'POST /allow-update': ({ body }) => {
      const { cidr, comment } = body as { cidr: string; comment: string | null };
      if (cidr === '10.0.0.999/8') return problem(400, "cidr: '10.0.0.999/8' is not an IP address or CIDR", 'cidr');
      const item: NetworkItem = { id: String(stored.length), cidr, comment, source: 'api', readOnly: false, createdAt: 1_700_000_000 };
      stored.push(item);
      return json(item, 201);
    },
    'DELETE /allow-update/*': ({ url }) => {
      const id = url.pathname.split('/').pop();
      stored.splice(stored.findIndex((n) => n.id === id), 1);
      return new Response(null, { status: 204 });
    },
  });
  render(<NetworkList list="allow-update" title="Allowed to write" description="d" envName="FUZZYD_ALLOW_UPDATE" />);
  return calls;
}

describe('NetworkList', () => {
  it('shows the server\'s validation message under the Network field, not as a page error', async () => {
    const calls = renderList();
    await screen.findByText('127.0.0.1/32');
    const input = screen.getByLabelText('Network');
    fireEvent.change(input, { target: { value: '10.0.0.999/8' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(await screen.findByText("'10.0.0.999/8' is not an IP address or CIDR")).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toContain('error');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('checks an empty entry without asking the server', async () => {
    const calls = renderList();
    await screen.findByText('127.0.0.1/32');
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(await screen.findByText('Enter an IP address or a network (CIDR)')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('adds a network, then removes it after confirmation; configuration entries cannot be removed', async () => {
    const calls = renderList();
    await screen.findByText('127.0.0.1/32');
    expect(screen.queryByRole('button', { name: 'Remove 127.0.0.1/32' })).toBeNull();
    expect(screen.getByText('read-only')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Network'), { target: { value: '192.0.2.0/24' } });
    fireEvent.change(screen.getByLabelText('Comment'), { target: { value: 'learners' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(await screen.findByText('Added 192.0.2.0/24.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ cidr: '192.0.2.0/24', comment: 'learners' });
    expect((screen.getByLabelText('Network') as HTMLInputElement).value).toBe('');

    fireEvent.click(await screen.findByRole('button', { name: 'Remove 192.0.2.0/24' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove 192.0.2.0/24?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByText('Removed 192.0.2.0/24.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('row', { name: /192\.0\.2\.0\/24/ })).toBeNull());
    expect(calls.find((c) => c.method === 'DELETE')!.url.pathname).toBe('/api/v1/allow-update/1');
  });
});
