import { useState, type FormEvent } from 'react';
import { api, ApiError, type User } from '../api';

/**
 * Changing one's own password. `forced`: the account was given a generated password and the
 * server answers nothing else until it is changed.
 */
export function ChangePassword({ user, forced, onChanged, onSignOut }: { user: User; forced?: boolean; onChanged: () => void; onSignOut?: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (next !== again) {
      setError('The two new passwords differ.');
      return;
    }
    setBusy(true);
    try {
      await api.POST('/api/auth/password', { body: { currentPassword: current, newPassword: next } });
      setDone(true);
      setCurrent('');
      setNext('');
      setAgain('');
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'wrong-password' ? 'The current password is wrong.' : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const form = (
    <form className="password-form" onSubmit={(e) => void submit(e)} aria-labelledby="password-title">
      <h1 id="password-title">{forced ? 'Choose your own password' : 'Change password'}</h1>
      {forced ? (
        <p>
          {user.displayName ?? user.username}, this account was given a generated password. Choose your own before going on: at least 12 characters, not a common password, not containing
          your user name. A passphrase of a few unrelated words works well.
        </p>
      ) : (
        <p className="muted">Your other sessions are signed out and your API tokens revoked; this one stays signed in.</p>
      )}
      <label htmlFor="current-password">Current password</label>
      <input id="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
      <label htmlFor="new-password">New password</label>
      <input id="new-password" type="password" autoComplete="new-password" minLength={12} value={next} onChange={(e) => setNext(e.target.value)} required />
      <label htmlFor="new-password-again">New password again</label>
      <input id="new-password-again" type="password" autoComplete="new-password" minLength={12} value={again} onChange={(e) => setAgain(e.target.value)} required />
      <div aria-live="assertive" className="error-slot">{error && <p className="error" role="alert">{error}</p>}</div>
      {done && !forced && <p role="status">Password changed.</p>}
      <div className="password-actions">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Changing…' : 'Change password'}</button>
        {forced && onSignOut && <button type="button" onClick={onSignOut}>Sign out</button>}
      </div>
    </form>
  );
  return forced ? <main className="signin" id="main">{form}</main> : form;
}
