/**
 * The API token lives in sessionStorage: it survives reloads in the tab and is gone when the tab closes, and other
 * tabs cannot read it. Listeners let the API client's 401 handling log the app out.
 */
const KEY = 'fuzzyd.apiToken';

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return storage()?.getItem(KEY) ?? null;
}

export function setToken(token: string | null): void {
  const s = storage();
  if (token) s?.setItem(KEY, token);
  else s?.removeItem(KEY);
  for (const listener of listeners) listener(token);
}

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
