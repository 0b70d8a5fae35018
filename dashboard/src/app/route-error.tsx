import { useRouteError } from 'react-router';

/** Shown when a page fails to load (e.g. a new build replaced the chunk the old page asked for). */
export function RouteError() {
  const error = useRouteError() as Error | undefined;
  return (
    <main className="content" id="main">
      <div className="alert alert-error" role="alert">
        <p>
          <strong>This page failed to load.</strong> {error?.message}
        </p>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    </main>
  );
}
