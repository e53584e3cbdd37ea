import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, can, dataOf, SESSION_EXPIRED_EVENT, setCsrf, type Answer, type ReviewLifecycle } from './api';
import './screens/unsaved';
import { LifecycleProvider } from './screens/common';
import { SignIn } from './screens/SignIn';
import { Incidents } from './screens/Incidents';
import { IncidentReview } from './screens/IncidentReview';
import { ActionItems } from './screens/ActionItems';
import { Matrix } from './screens/Matrix';
import { Attribution } from './screens/Attribution';
import { Admin } from './screens/Admin';
import { Connectors } from './screens/Connectors';
import { NotificationPreferences } from './screens/NotificationPreferences';
import { MyWork } from './screens/MyWork';
import { AuditLog } from './screens/AuditLog';
import { MyTokens } from './screens/MyTokens';
import { ChangePassword } from './screens/ChangePassword';
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
  const [expired, setExpired] = useState(false);
  // Signed in with a generated password: nothing but the change until it is done.
  const [mustChange, setMustChange] = useState<Answer<'get', '/api/auth/me'> | null>(null);
  const [passwordSignIn, setPasswordSignIn] = useState(true);
  const route = useHashRoute();

  // An expired session shows the sign-in in place; the address (the hash route) stays, so signing
  // in again comes back to the same screen, and editors' drafts are kept in localStorage meanwhile.
  useEffect(() => {
    const onExpired = () => {
      setCsrf(null);
      setSession((s) => {
        if (s) setExpired(true);
        return null;
      });
    };
    window.addEventListener(SESSION_EXPIRED_EVENT, onExpired);
    return () => window.removeEventListener(SESSION_EXPIRED_EVENT, onExpired);
  }, []);

  const loadMe = useCallback(async () => {
    try {
      const me = await dataOf(api.GET('/api/auth/me'));
      setCsrf(me.csrfToken);
      setMustChange(me.user.mustChangePassword ? me : null);
      if (me.user.mustChangePassword) return;
      const lifecycle = await dataOf(api.GET('/api/review/lifecycle'));
      setSession({ me, lifecycle });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession(null);
      else throw e;
    }
  }, []);
  useEffect(() => {
    void loadMe();
    dataOf(api.GET('/api/auth/config'))
      .then((config) => setPasswordSignIn(config.password))
      .catch(() => undefined);
  }, [loadMe]);

  useEffect(() => {
    const main = document.getElementById('main');
    main?.focus();
  }, [route.join('/')]);

  if (mustChange) {
    const leave = async () => {
      await api.POST('/api/auth/logout');
      setCsrf(null);
      setMustChange(null);
      setSession(null);
    };
    return <ChangePassword user={mustChange.user} forced onChanged={() => void loadMe()} onSignOut={() => void leave()} />;
  }
  if (session === undefined) return <p className="loading" role="status">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={async () => { setExpired(false); await loadMe(); }} notice={expired ? 'Your session has expired. Sign in again to continue where you were; text you were writing is kept as a draft.' : undefined} />;
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
    ['my-work', 'My work', true],
    ['matrix', 'ATT&CK matrix', true],
    ['observables', 'Observables', true],
    ['connectors', 'Connectors', true],
    ['notifications', 'Notifications', true],
    ['tokens', 'API tokens', me.via === 'session'],
    ['audit', 'Audit log', me.user.role === 'admin' || me.user.role === 'reviewer'],
    ['admin', 'Admin', me.user.role === 'admin'],
  ];
  let screen;
  if (section === 'incidents' && id && sub === 'attribution') screen = <Attribution incidentId={id} />;
  else if (section === 'incidents' && id) screen = <IncidentReview incidentId={id} user={me.user} />;
  else if (section === 'actions') screen = <ActionItems canMove={can(lifecycle.roles, me.user.role, 'analyst')} />;
  else if (section === 'matrix') screen = <Matrix technique={id} />;
  else if (section === 'my-work') screen = <MyWork />;
  else if (section === 'notifications') screen = <NotificationPreferences />;
  else if (section === 'observables') screen = <Observables key={id ?? ''} initialValue={id} editable={can(lifecycle.roles, me.user.role, 'analyst')} />;
  else if (section === 'connectors') screen = <Connectors isAdmin={me.user.role === 'admin'} />;
  else if (section === 'audit' && (me.user.role === 'admin' || me.user.role === 'reviewer')) screen = <AuditLog />;
  else if (section === 'tokens') screen = <MyTokens self={me.user} />;
  else if (section === 'admin' && me.user.role === 'admin') screen = <Admin self={me.user} />;
  else if (section === 'password' && passwordSignIn) screen = <ChangePassword user={me.user} onChanged={() => undefined} />;
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
          {passwordSignIn && me.via === 'session' && <a href="#/password" aria-current={section === 'password' ? 'page' : undefined}>Change password</a>}
          <button type="button" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>{screen}</main>
    </LifecycleProvider>
  );
}
