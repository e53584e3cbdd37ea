import { useState, type FormEvent } from 'react';
import { api, dataOf, type User } from '../api';
import { describeError, ErrorNote, Status, useApi, when } from './common';

type Scope = 'read' | 'write' | 'admin';

/** The scopes a role may give its tokens: never more than the role itself. */
function scopesFor(role: User['role']): Scope[] {
  return role === 'admin' ? ['read', 'write', 'admin'] : role === 'viewer' ? ['read'] : ['read', 'write'];
}

/**
 * Your own API tokens: made here for automation that acts as you (never as anyone else), with a
 * scope no wider than your role and an expiry; listed with their last use; revoked here.
 */
export function MyTokens({ self }: { self: User }) {
  const tokens = useApi(() => dataOf(api.GET('/api/tokens', { params: { query: { username: self.username } } })), 'my-tokens');
  const scopes = scopesFor(self.role);
  const [name, setName] = useState('automation');
  const [scope, setScope] = useState<Scope>(scopes[scopes.length - 1] ?? 'read');
  const [days, setDays] = useState(90);
  const [created, setCreated] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const act = async (done: string, work: () => Promise<unknown>) => {
    setMessage(null);
    setFailure(null);
    try {
      await work();
      setMessage(done);
    } catch (e) {
      setFailure(describeError(e));
    }
    tokens.reload();
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    void act('Token created: copy it now, it is not shown again', async () => {
      const t = await dataOf(api.POST('/api/tokens', { body: { name, scope, expiresInDays: days } }));
      setCreated(t.token);
    });
  };
  const mine = tokens.data?.tokens.filter((t) => t.username === self.username) ?? [];

  return (
    <section aria-labelledby="tokens-title" className="my-tokens">
      <h1 id="tokens-title">My API tokens</h1>
      <p className="muted">A token acts as you, with the lower of its scope and your role at each request. It ends when it expires, when you revoke it, or when your password changes.</p>
      <Status message={message} error={failure} />
      <ErrorNote error={tokens.error} />
      <table className="grid">
        <caption className="sr-only">Your API tokens</caption>
        <thead><tr><th scope="col">Token</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {mine.map((t) => (
            <tr key={t.id} className={t.revokedAt ? 'muted' : undefined}>
              <td>{t.name} <span className="muted small">{t.id}</span></td>
              <td>{t.scope}</td>
              <td className="nowrap">{when(t.createdAt)}</td>
              <td className="nowrap">{when(t.expiresAt)}</td>
              <td>{t.revokedAt ? `revoked ${when(t.revokedAt)} (${t.revokedReason ?? 'revoked'})` : when(t.lastUsedAt)}</td>
              <td>{!t.revokedAt && <button type="button" aria-label={`Revoke ${t.name}`} onClick={() => void act(`Revoked ${t.name}`, () => api.DELETE('/api/tokens/{id}', { params: { path: { id: t.id } } }))}>Revoke</button>}</td>
            </tr>
          ))}
          {tokens.data && mine.length === 0 && <tr><td colSpan={6} className="muted">No tokens yet.</td></tr>}
        </tbody>
      </table>
      <form className="row add" onSubmit={create} aria-label="Create an API token">
        <div className="field grow"><label htmlFor="my-tk-name">Purpose</label><input id="my-tk-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required /></div>
        <div className="field"><label htmlFor="my-tk-scope">Scope</label><select id="my-tk-scope" value={scope} onChange={(e) => setScope(scopes.find((s) => s === e.target.value) ?? 'read')}>{scopes.map((s) => <option key={s}>{s}</option>)}</select></div>
        <div className="field"><label htmlFor="my-tk-days">Expires in (days)</label><input id="my-tk-days" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(Number(e.target.value) || 90)} required /></div>
        <button type="submit" className="primary">Create token</button>
      </form>
      {created && <p className="secret" role="status">New token (shown once): <code>{created}</code></p>}
    </section>
  );
}
