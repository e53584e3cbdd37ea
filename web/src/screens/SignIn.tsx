import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, dataOf, type Answer } from '../api';

type AuthConfig = Answer<'get', '/api/auth/config'>;

/** What a refused single sign-on came back with (`/?signInError=CODE`), in words. */
const SIGN_IN_ERRORS: Record<string, string> = {
  'no-role': 'Your account at the identity provider gives no access to Hindsight. Ask an administrator to add you to a group that does.',
  'account-disabled': 'Your Hindsight account is disabled. Ask an administrator.',
  'identity-mismatch': 'This user name belongs to another identity. Ask an administrator.',
  'no-username': 'The identity provider did not say who you are (no user name). Ask an administrator.',
  'service-account': 'This is a service account: it cannot sign in.',
  'sign-in-failed': 'The sign-in could not be completed (it expired, was already used, or the provider’s answer was refused). Try again.',
};

/** The refusal the address carries, once: the address is cleaned so a reload does not show it again. */
function takeSignInError(): string | null {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('signInError');
  if (!code) return null;
  params.delete('signInError');
  const rest = params.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`);
  return SIGN_IN_ERRORS[code] ?? SIGN_IN_ERRORS['sign-in-failed'] ?? null;
}

export function SignIn({ onSignedIn, notice }: { onSignedIn: () => Promise<void>; notice?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(takeSignInError);
  const [busy, setBusy] = useState(false);
  const [config, setConfig] = useState<AuthConfig | null>(null);
  useEffect(() => {
    dataOf(api.GET('/api/auth/config'))
      .then(setConfig)
      .catch(() => setConfig({ password: true, oidc: null }));
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.POST('/api/auth/login', { body: { username, password } });
      await onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? 'Too many attempts: wait a minute and try again.' : err instanceof ApiError && err.status === 401 ? 'The user name or password is wrong.' : String(err instanceof Error ? err.message : err));
    } finally {
      setBusy(false);
    }
  };
  // Back to the screen the person was on: the hash route travels as the path's fragment.
  const ssoHref = config?.oidc ? `${config.oidc.loginUrl}?returnTo=${encodeURIComponent(`/${window.location.hash}`)}` : null;
  const passwordOn = config?.password !== false;
  return (
    <main className="signin" id="main">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Hindsight</h1>
        <p className="muted">Post-incident reviews for your security operations team.</p>
        {notice && <p className="notice" role="status">{notice}</p>}
        {ssoHref && config?.oidc && (
          <a className="button primary sso-button" href={ssoHref}>
            Sign in with {config.oidc.providerName}
          </a>
        )}
        {ssoHref && passwordOn && <p className="sso-or muted">or with a Hindsight password</p>}
        {passwordOn && (
          <>
            <label htmlFor="username">User name</label>
            <input id="username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus={!ssoHref} />
            <label htmlFor="password">Password</label>
            <input id="password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          </>
        )}
        <div aria-live="assertive" className="error-slot">{error && <p className="error" role="alert">{error}</p>}</div>
        {passwordOn && <button type="submit" className={ssoHref ? '' : 'primary'} disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>}
        {passwordOn && <p className="muted small">First time? <code>hindsight serve</code> wrote the admin password to a file beside the database; admins add accounts with <code>hindsight users add</code>.</p>}
      </form>
    </main>
  );
}
