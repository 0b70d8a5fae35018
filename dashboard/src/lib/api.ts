import { type ApiError, createApiClient } from './api-client';
import { getToken, setToken } from './session';

/** Set on a 401 so the login page can say why the user is back there. */
export let lastAuthError: ApiError | null = null;

/** The app's client: token from the session; a 401 ends the session (the router then shows the login page). */
export const api = createApiClient({
  getToken,
  onUnauthorized: (error) => {
    lastAuthError = error;
    if (getToken()) setToken(null);
  },
});

export function takeAuthError(): ApiError | null {
  const error = lastAuthError;
  lastAuthError = null;
  return error;
}
