import { useState, type FormEvent } from 'react';
import { api, dataOf, type Role, type User } from '../api';
import { describeError, ErrorNote, Status, useApi, useLifecycle, when } from './common';
import { NotificationSettings } from './NotificationSettings';

export function Admin({ self }: { self: User }) {
  const { roles } = useLifecycle();
  const roleNamed = (name: string): Role => roles.find((r) => r === name) ?? 'viewer';
  const users = useApi(() => dataOf(api.GET('/api/users')), 'users');
  const tokens = useApi(() => dataOf(api.GET('/api/tokens')), 'tokens');
  const policy = useApi(() => dataOf(api.GET('/api/policy')), 'policy');
  const audit = useApi(() => dataOf(api.GET('/api/audit/verify')), 'audit');
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [newToken, setNewToken] = useState<string | null>(null);
  const [form, setForm] = useState<{ username: string; role: Role; password: string; displayName: string; email: string; service: boolean }>({ username: '', role: 'analyst', password: '', displayName: '', email: '', service: false });
  const [editing, setEditing] = useState<string | null>(null);
  const [tokenUser, setTokenUser] = useState('');
  const [tokenName, setTokenName] = useState('automation');
  const [tokenScope, setTokenScope] = useState<'' | 'read' | 'write' | 'admin'>('');
  const [tokenDays, setTokenDays] = useState(90);
  const [policyText, setPolicyText] = useState<string | null>(null);

  const run = async (what: string, fn: () => Promise<unknown>) => {
    setMessage(null);
    setFailure(null);
    try {
      await fn();
      setMessage(what);
      return true;
    } catch (e) {
      setFailure(describeError(e));
      return false;
    }
  };
  const addUser = async (e: FormEvent) => {
    e.preventDefault();
    const { service, password, ...rest } = form;
    // A service account has no password: it never signs in, it holds API tokens.
    const body = { ...rest, displayName: form.displayName.trim() || undefined, email: form.email.trim() || undefined, ...(service ? { kind: 'service' as const } : { password }) };
    if (await run(`Added ${form.username}`, () => api.POST('/api/users', { body }))) {
      setForm({ username: '', role: 'analyst', password: '', displayName: '', email: '', service: false });
      users.reload();
    }
  };
  const createToken = async (e: FormEvent) => {
    e.preventDefault();
    setNewToken(null);
    await run('Token created: copy it now, it is not shown again', async () => {
      const t = await dataOf(api.POST('/api/tokens', { body: { ...(tokenUser ? { username: tokenUser } : {}), name: tokenName, ...(tokenScope ? { scope: tokenScope } : {}), expiresInDays: tokenDays } }));
      setNewToken(t.token);
      tokens.reload();
    });
  };

  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <Status message={message} error={failure} />
      <div className="two-col">
        <section className="panel" aria-labelledby="users-title">
          <h2 id="users-title">Users</h2>
          <ErrorNote error={users.error} />
          <table className="grid">
            <caption className="sr-only">Accounts</caption>
            <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {users.data?.users.map((u) => editing === u.username ? (
                <PersonDetails key={u.id} user={u} onDone={() => setEditing(null)} save={(body, what) => run(what, () => api.PATCH('/api/users/{username}', { params: { path: { username: u.username } }, body })).then((ok) => { if (ok) { setEditing(null); users.reload(); } })} />
              ) : (
                <tr key={u.id}>
                  <td>
                    {u.username}{u.displayName && <span className="muted small"> {u.displayName}</span>}
                    <br /><span className="muted small">{u.email ?? 'no e-mail address'}</span>{' '}
                    <button type="button" className="link" aria-label={`Edit the name and e-mail address of ${u.username}`} onClick={() => setEditing(u.username)}>Edit</button>
                  </td>
                  <td>
                    <select aria-label={`Role of ${u.username}`} value={u.role} disabled={u.username === self.username} onChange={(e) => void run(`${u.username} is now ${e.target.value}`, () => api.PATCH('/api/users/{username}', { params: { path: { username: u.username } }, body: { role: roleNamed(e.target.value) } })).then(users.reload)}>
                      {roles.map((r) => <option key={r}>{r}</option>)}
                    </select>
                  </td>
                  <td>{u.disabled ? 'disabled' : 'active'}</td>
                  <td>{u.username !== self.username && <button type="button" onClick={() => void run(`${u.username} ${u.disabled ? 'enabled' : 'disabled'}`, () => api.PATCH('/api/users/{username}', { params: { path: { username: u.username } }, body: { disabled: !u.disabled } })).then(users.reload)}>{u.disabled ? 'Enable' : 'Disable'}</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <form className="stack" onSubmit={(e) => void addUser(e)} aria-label="Add a user">
            <h3>Add a user</h3>
            <div className="row">
              <div className="field"><label htmlFor="nu-name">User name</label><input id="nu-name" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} required /></div>
              <div className="field"><label htmlFor="nu-role">Role</label><select id="nu-role" value={form.role} onChange={(e) => setForm({ ...form, role: roleNamed(e.target.value) })}>{roles.map((r) => <option key={r}>{r}</option>)}</select></div>
            </div>
            <div className="row">
              <div className="field grow"><label htmlFor="nu-display">Display name</label><input id="nu-display" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} /></div>
              <div className="field grow"><label htmlFor="nu-email">E-mail address</label><input id="nu-email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} /></div>
            </div>
            <div className="row">
              <div className="field grow"><label htmlFor="nu-password">Password (12+ characters)</label><input id="nu-password" type="password" autoComplete="new-password" minLength={12} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required={!form.service} disabled={form.service} /></div>
            </div>
            <div className="field check"><input id="nu-service" type="checkbox" checked={form.service} onChange={(e) => setForm({ ...form, service: e.target.checked, password: '' })} /><label htmlFor="nu-service">Service account (no password, never signs in: API tokens only)</label></div>
            <button type="submit" className="primary">Add user</button>
          </form>
        </section>

        <section className="panel" aria-labelledby="tokens-title">
          <h2 id="tokens-title">API tokens</h2>
          <table className="grid">
            <caption className="sr-only">API tokens</caption>
            <thead><tr><th scope="col">Token</th><th scope="col">User</th><th scope="col">Scope</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {tokens.data?.tokens.map((t) => (
                <tr key={t.id} className={t.revokedAt ? 'muted' : undefined}>
                  <td>{t.name} <span className="muted small">{t.id}</span></td>
                  <td>{t.username}</td>
                  <td>{t.scope}</td>
                  <td className="nowrap">{when(t.expiresAt)}</td>
                  <td>{t.revokedAt ? `revoked ${when(t.revokedAt)} (${t.revokedReason ?? 'revoked'})` : when(t.lastUsedAt)}</td>
                  <td>{!t.revokedAt && <button type="button" onClick={() => void run(`Revoked ${t.name}`, () => api.DELETE('/api/tokens/{id}', { params: { path: { id: t.id } } })).then(tokens.reload)}>Revoke</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <form className="row add" onSubmit={(e) => void createToken(e)} aria-label="Create an API token">
            <div className="field"><label htmlFor="tk-user">For</label><select id="tk-user" value={tokenUser} onChange={(e) => setTokenUser(e.target.value)}><option value="">myself ({self.username})</option>{users.data?.users.filter((u) => !u.disabled && u.kind === 'service').map((u) => <option key={u.id} value={u.username}>{u.username} (service account)</option>)}</select></div>
            <div className="field"><label htmlFor="tk-scope">Scope</label><select id="tk-scope" value={tokenScope} onChange={(e) => setTokenScope(e.target.value === 'read' || e.target.value === 'write' || e.target.value === 'admin' ? e.target.value : '')}><option value="">widest the role allows</option><option>read</option><option>write</option><option>admin</option></select></div>
            <div className="field"><label htmlFor="tk-days">Expires in (days)</label><input id="tk-days" type="number" min={1} max={3650} value={tokenDays} onChange={(e) => setTokenDays(Number(e.target.value) || 90)} required /></div>
            <div className="field grow"><label htmlFor="tk-name">Purpose</label><input id="tk-name" value={tokenName} onChange={(e) => setTokenName(e.target.value)} required /></div>
            <button type="submit" className="primary">Create token</button>
          </form>
          {newToken && <p className="secret" role="status">New token (shown once): <code>{newToken}</code></p>}

          <h2>Audit trail</h2>
          {audit.data && (audit.data.ok ? <p className="ok">Intact: {audit.data.entries} entries, hash chain verified.</p> : <p className="error" role="alert">Broken at entry {audit.data.firstBroken?.seq}: {audit.data.firstBroken?.reason}</p>)}
        </section>
      </div>

      <section className="panel" aria-labelledby="policy-title">
        <h2 id="policy-title">Review policy <span className="muted small">{policy.data?.file} ({policy.data?.origin})</span></h2>
        {policy.data && (
          <form onSubmit={(e) => { e.preventDefault(); void run('Policy saved', () => api.PUT('/api/policy', { body: { yaml: policyText ?? policy.data?.yaml ?? '' } })).then(policy.reload); }}>
            <label htmlFor="policy-yaml" className="sr-only">Policy YAML</label>
            <textarea id="policy-yaml" className="code" rows={12} value={policyText ?? policy.data.yaml} onChange={(e) => setPolicyText(e.target.value)} readOnly={!policy.data.editable} />
            {policy.data.editable ? <button type="submit" className="primary">Save policy</button> : <p className="muted small">The server runs on the shipped default policy; start it with HINDSIGHT_POLICY=FILE to edit the policy here.</p>}
          </form>
        )}
      </section>
      <NotificationSettings />
    </section>
  );
}

/** Edits an account's display name and e-mail address (where notifications reach the person), in place of its row. */
function PersonDetails({ user, save, onDone }: { user: User; save: (body: { displayName: string | null; email: string | null }, what: string) => Promise<void>; onDone: () => void }) {
  const [displayName, setDisplayName] = useState(user.displayName ?? '');
  const [email, setEmail] = useState(user.email ?? '');
  const id = `pd-${user.id}`;
  return (
    <tr>
      <td colSpan={4}>
        <form
          className="row"
          aria-label={`Name and e-mail address of ${user.username}`}
          onSubmit={(e) => {
            e.preventDefault();
            void save({ displayName: displayName.trim() || null, email: email.trim() || null }, `Saved the details of ${user.username}`);
          }}
        >
          <strong>{user.username}</strong>
          <div className="field grow"><label htmlFor={`${id}-name`}>Display name</label><input id={`${id}-name`} value={displayName} maxLength={200} onChange={(e) => setDisplayName(e.target.value)} /></div>
          <div className="field grow"><label htmlFor={`${id}-email`}>E-mail address</label><input id={`${id}-email`} type="email" value={email} maxLength={320} onChange={(e) => setEmail(e.target.value)} /></div>
          <button type="submit" className="primary">Save</button>
          <button type="button" onClick={onDone}>Cancel</button>
        </form>
      </td>
    </tr>
  );
}
