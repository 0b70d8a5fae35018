import { useSyncExternalStore } from 'react';
import { getToken, onTokenChange, setToken } from '../../../lib/session';

function subscribe(callback: () => void): () => void {
  return onTokenChange(() => callback());
}

/** The current token (null when logged out), re-rendering on login, logout and 401s. */
export function useSession(): { token: string | null; login: (token: string) => void; logout: () => void } {
  const token = useSyncExternalStore(subscribe, getToken, () => null);
  return { token, login: (t) => setToken(t), logout: () => setToken(null) };
}
