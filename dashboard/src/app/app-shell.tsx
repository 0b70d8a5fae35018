import { Suspense, useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { Loading } from '../components/ui/loading';
import { useSession } from '../features/auth/hooks/use-session';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/hashes', label: 'Hashes' },
  { to: '/lookup', label: 'Lookup' },
  { to: '/flags', label: 'Flags' },
  { to: '/access', label: 'Allow maps' },
  { to: '/keys', label: 'Keys' },
  { to: '/neural', label: 'Neural' },
];

/** Header with the navigation, and the page. On narrow screens the navigation becomes a scrolling tab row. */
export function AppShell() {
  const { logout } = useSession();
  const location = useLocation();
  const navRef = useRef<HTMLElement>(null);
  // On a phone the tab row scrolls sideways; keep the current page's tab in sight.
  useEffect(() => {
    navRef.current?.querySelector<HTMLElement>('.nav-link.active')?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [location.pathname]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          fuzzyd
        </span>
        <nav aria-label="Main" className="nav" ref={navRef}>
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end} className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="btn btn-ghost btn-small logout" onClick={logout}>
          Log out
        </button>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
