import { type FormEvent, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { Button } from '../../../components/ui/button';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import { takeAuthError } from '../../../lib/api';
import { verifyToken } from '../api/verify-token';
import { useSession } from '../hooks/use-session';

export function LoginPage() {
  const { token: current, login } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  const [token, setToken] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [expired] = useState(() => takeAuthError());

  if (current) return <Navigate to={safeNext(next)} replace />;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    const value = token.trim();
    if (!value) {
      setFieldError('Enter an API token');
      return;
    }
    setFieldError(null);
    setBusy(true);
    try {
      await verifyToken(value);
      login(value);
      navigate(safeNext(next), { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setFieldError('This token is not valid');
      else setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <form className="login-card card" onSubmit={submit} noValidate>
        <h1>
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          fuzzyd
        </h1>
        <p className="muted">Sign in with an API token. It is kept for this browser tab only.</p>
        {expired && !error && (
          <p className="alert alert-info" role="status">
            Your session ended ({expired.message}). Sign in again.
          </p>
        )}
        <Field label="API token" error={fieldError} hint="Printed by fuzzyd on first start, or set with FUZZYD_ADMIN_TOKEN.">
          <input
            type="password"
            name="token"
            autoComplete="current-password"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoFocus
          />
        </Field>
        <ErrorMessage error={error} context="Sign-in failed" />
        <Button type="submit" variant="primary" busy={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}

/** Only same-app paths: a crafted `?next=https://…` must not send the user elsewhere. */
export function safeNext(next: string): string {
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}
