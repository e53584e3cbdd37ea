import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, can, dataOf, setCsrf, type Answer, type ReviewLifecycle } from './api';
import { LifecycleProvider } from './screens/common';
import { SignIn } from './screens/SignIn';
import { Incidents } from './screens/Incidents';
import { IncidentReview } from './screens/IncidentReview';
import { ActionItems } from './screens/ActionItems';
import { Matrix } from './screens/Matrix';
import { Attribution } from './screens/Attribution';
import { Admin } from './screens/Admin';
import { Connectors } from './screens/Connectors';
import { Observables } from './screens/Observables';

function useHashRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Who is signed in, and the review lifecycle every screen offers its moves from. */
interface Session {
  me: Answer<'get', '/api/auth/me'>;
  lifecycle: ReviewLifecycle;
}

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useHashRoute();

  const loadMe = useCallback(async () => {
    try {
      const me = await dataOf(api.GET('/api/auth/me'));
      setCsrf(me.csrfToken);
      const lifecycle = await dataOf(api.GET('/api/review/lifecycle'));
      setSession({ me, lifecycle });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession(null);
      else throw e;
    }
  }, []);
  useEffect(() => {
    void loadMe();
  }, [loadMe]);

  useEffect(() => {
    const main = document.getElementById('main');
    main?.focus();
  }, [route.join('/')]);

  if (session === undefined) return <p className="loading" role="status">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={loadMe} />;
  const { me, lifecycle } = session;

  const [section = 'incidents', id, sub] = route;
  const signOut = async () => {
    await api.POST('/api/auth/logout');
    setCsrf(null);
    setSession(null);
  };
  const nav: [string, string, boolean][] = [
    ['incidents', 'Incidents', true],
    ['actions', 'Action items', true],
    ['matrix', 'ATT&CK matrix', true],
    ['observables', 'Observables', true],
    ['connectors', 'Connectors', true],
    ['admin', 'Admin', me.user.role === 'admin'],
  ];
  let screen;
  if (section === 'incidents' && id && sub === 'attribution') screen = <Attribution incidentId={id} />;
  else if (section === 'incidents' && id) screen = <IncidentReview incidentId={id} user={me.user} />;
  else if (section === 'actions') screen = <ActionItems />;
  else if (section === 'matrix') screen = <Matrix />;
  else if (section === 'observables') screen = <Observables key={id ?? ''} initialValue={id} editable={can(lifecycle.roles, me.user.role, 'analyst')} />;
  else if (section === 'connectors') screen = <Connectors isAdmin={me.user.role === 'admin'} />;
  else if (section === 'admin' && me.user.role === 'admin') screen = <Admin self={me.user} />;
  else screen = <Incidents canImport={can(lifecycle.roles, me.user.role, 'analyst')} />;

  return (
    <LifecycleProvider value={lifecycle}>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header className="topbar">
        <span className="brand" aria-label="Hindsight">Hindsight</span>
        <nav aria-label="Main">
          <ul>
            {nav.filter(([, , show]) => show).map(([key, label]) => (
              <li key={key}>
                <a href={`#/${key}`} aria-current={section === key ? 'page' : undefined}>{label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>{me.user.displayName ?? me.user.username} <span className="role">{me.user.role}</span></span>
          <button type="button" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>{screen}</main>
    </LifecycleProvider>
  );
}
