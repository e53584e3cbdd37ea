import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';

export function SignIn({ onSignedIn, notice }: { onSignedIn: () => Promise<void>; notice?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
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
  return (
    <main className="signin" id="main">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Hindsight</h1>
        <p className="muted">Post-incident reviews for your security operations team.</p>
        {notice && <p className="notice" role="status">{notice}</p>}
        <label htmlFor="username">User name</label>
        <input id="username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <div aria-live="assertive" className="error-slot">{error && <p className="error" role="alert">{error}</p>}</div>
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p className="muted small">First time? <code>hindsight serve</code> printed the admin password once; admins add accounts with <code>hindsight users add</code>.</p>
      </form>
    </main>
  );
}
