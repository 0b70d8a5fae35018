// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, problem } from '../../../test/fake-api';
import { LoginPage, safeNext } from './login-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

function renderLogin(next = '/hashes') {
  render(
    <MemoryRouter initialEntries={[`/login?next=${encodeURIComponent(next)}`]}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<p>landed</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('LoginPage', () => {
  it('keeps a valid token in sessionStorage and goes where the user was heading', async () => {
    const calls = fakeApi({ 'GET /flags': () => json([]) });
    sessionStorage.clear();
    renderLogin();
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: ' secret-token ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('landed')).toBeTruthy();
    expect(sessionStorage.getItem('fuzzyd.apiToken')).toBe('secret-token');
    expect(calls[0].url.pathname).toBe('/api/v1/flags');
  });

  it('says the token is not valid next to the field on a 401, and keeps nothing', async () => {
    fakeApi({ 'GET /flags': () => problem(401, 'authorization: the bearer token is not valid') });
    sessionStorage.clear();
    renderLogin();
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('This token is not valid')).toBeTruthy();
    expect(screen.getByLabelText('API token').getAttribute('aria-invalid')).toBe('true');
    expect(sessionStorage.getItem('fuzzyd.apiToken')).toBeNull();
  });

  it('asks for a token before calling the server', async () => {
    const calls = fakeApi({});
    sessionStorage.clear();
    renderLogin();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter an API token')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('only follows same-app `next` paths', () => {
    expect(safeNext('/hashes?flag=1')).toBe('/hashes?flag=1');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('/login')).toBe('/');
  });
});
