import { createBrowserRouter } from 'react-router';
import { LoginPage } from '../features/auth/components/login-page';
import { RequireAuth } from '../features/auth/components/require-auth';
import { AppShell } from './app-shell';
import { NotFoundPage } from './not-found-page';
import { RouteError } from './route-error';

/** Pages load lazily: the charts library is fetched only by the pages that draw charts. */
export function createRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginPage /> },
    {
      path: '/',
      element: (
        <RequireAuth>
          <AppShell />
        </RequireAuth>
      ),
      errorElement: <RouteError />,
      children: [
        { index: true, lazy: () => import('../features/overview/components/overview-page').then((m) => ({ Component: m.OverviewPage })) },
        { path: 'hashes', lazy: () => import('../features/hashes/components/hashes-page').then((m) => ({ Component: m.HashesPage })) },
        { path: 'hashes/:digest', lazy: () => import('../features/hashes/components/hash-detail-page').then((m) => ({ Component: m.HashDetailPage })) },
        { path: 'lookup', lazy: () => import('../features/lookup/components/lookup-page').then((m) => ({ Component: m.LookupPage })) },
        { path: 'flags', lazy: () => import('../features/flags/components/flags-page').then((m) => ({ Component: m.FlagsPage })) },
        { path: 'access', lazy: () => import('../features/access/components/access-page').then((m) => ({ Component: m.AccessPage })) },
        { path: 'keys', lazy: () => import('../features/keys/components/keys-page').then((m) => ({ Component: m.KeysPage })) },
        { path: 'neural', lazy: () => import('../features/neural/components/neural-page').then((m) => ({ Component: m.NeuralPage })) },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
