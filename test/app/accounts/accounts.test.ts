import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditEntryForReader, auditLogForReader, auditPageForReader, listAuditLog, verifyAuditTrail } from '../../../src/app/accounts/audit-log.js';
import { accessList, canSee, hiddenIncidents, incidentAccess, restrictIncident } from '../../../src/app/accounts/incident-access.js';
import { createSession, endSession, userOfSession } from '../../../src/app/accounts/sessions.js';
import { createToken, listTokens, revokeToken, TOKEN_PREFIX, userOfToken } from '../../../src/app/accounts/tokens.js';
import { addUser, countUsers, disableUser, listUsers, updateUser, verifySignIn } from '../../../src/app/accounts/users.js';
import { importFiles } from '../../../src/app/import.js';
import { addFinding, editFinding } from '../../../src/app/review/findings.js';
import type { AuditEntry } from '../../../src/model/audit.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';
import { pgAvailable, projectRoot, requireOrSkip } from '../../helpers/env.js';
import { postgresSchemas } from '../../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL accounts and audit tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_auth');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

async function importRansomware(store: OpenedStore): Promise<string> {
  const imported = await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json')], { env: {}, audit: { actor: 'cli:test' } });
  return imported.results[0]?.id as string;
}

describe.each(targets)('accounts and the audit trail on $name', ({ open }) => {
  it('adds users, signs in, issues sessions and tokens, disables, and audits every write', async () => {
    const store = await open();
    try {
      const alice = await addUser(store, { username: 'alice', role: 'analyst', password: 'Amber-Orbit-Cactus-31' }, 'cli:test');
      expect(alice).toMatchObject({ username: 'alice', role: 'analyst', disabled: false, displayName: null });
      await expect(addUser(store, { username: 'alice', role: 'viewer' }, 'cli:test')).rejects.toThrow(/already exists/);
      await expect(addUser(store, { username: 'bob', role: 'superuser' }, 'cli:test')).rejects.toThrow(/role must be one of/);
      await expect(addUser(store, { username: 'bob', role: 'viewer', password: 'short' }, 'cli:test')).rejects.toThrow(/at least 12/);
      await expect(addUser(store, { username: '-bob', role: 'viewer' }, 'cli:test')).rejects.toThrow(/user name "-bob"/);
      expect(await countUsers(store)).toBe(1);

      expect(await verifySignIn(store, 'alice', 'Amber-Orbit-Cactus-31')).toMatchObject({ username: 'alice' });
      expect(await verifySignIn(store, 'alice', 'wrong-password-1')).toBeUndefined();
      expect(await verifySignIn(store, 'nobody', 'Amber-Orbit-Cactus-31')).toBeUndefined();

      const session = await createSession(store, alice);
      expect((await userOfSession(store, session.cookie))?.user.username).toBe('alice');
      expect((await userOfSession(store, session.cookie))?.csrfToken).toBe(session.csrfToken);
      const stored = await store.db.selectFrom('sessions').select('id').execute();
      expect(stored.map((s) => s.id)).not.toContain(session.cookie);
      const other = await createSession(store, alice);
      await endSession(store, other.cookie);
      expect(await userOfSession(store, other.cookie)).toBeUndefined();
      expect((await userOfSession(store, session.cookie))?.user.username).toBe('alice');

      const { token, info } = await createToken(store, 'alice', 'ci', 'cli:test');
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
      expect((await userOfToken(store, token))?.user.username).toBe('alice');
      expect((await listTokens(store, 'alice'))[0]?.lastUsedAt).not.toBeNull();
      const hashes = await store.db.selectFrom('apiTokens').select('tokenHash').execute();
      expect(hashes[0]?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(hashes[0]?.tokenHash).not.toContain(token);
      await expect(createToken(store, 'nobody', 'ci', 'cli:test')).rejects.toThrow(/no user named "nobody"/);
      const revoked = await revokeToken(store, info.id, 'cli:test');
      expect(revoked.revokedAt).not.toBeNull();
      // Revoking again changes nothing and records nothing.
      expect(await revokeToken(store, info.id, 'cli:test')).toEqual(revoked);
      expect(await userOfToken(store, token)).toBeUndefined();

      const { token: second } = await createToken(store, 'alice', 'other', 'cli:test');
      expect((await listTokens(store)).map((t) => t.name)).toEqual(['ci', 'other']);
      await disableUser(store, 'alice', 'cli:test');
      expect(await userOfSession(store, session.cookie)).toBeUndefined();
      expect(await userOfToken(store, second)).toBeUndefined();
      expect(await verifySignIn(store, 'alice', 'Amber-Orbit-Cactus-31')).toBeUndefined();
      expect((await listUsers(store)).map((u) => [u.username, u.disabled])).toEqual([['alice', true]]);

      const actions = (await listAuditLog(store)).map((e) => e.action).reverse();
      // Disabling alice revoked her live token for good, recorded as its own entry with the reason.
      expect(actions).toEqual(['user.add', 'token.create', 'token.revoke', 'token.create', 'token.revoke', 'user.disable']);
      const disable = (await listAuditLog(store, { limit: 1 }))[0];
      expect(disable).toMatchObject({ actor: 'cli:test', entityType: 'user', entityId: 'alice', before: { disabled: false }, after: { disabled: true } });
      expect((await listAuditLog(store, { entityType: 'api-token', entityId: info.id }))[0]).toMatchObject({ action: 'token.revoke', before: { revokedAt: null }, after: { revokedAt: revoked.revokedAt } });
      expect(await verifyAuditTrail(store)).toMatchObject({ ok: true, entries: 6 });
    } finally {
      await store.close();
    }
  });

  it('names a password change apart from other changes, never records the hash, and signs the user out', async () => {
    const store = await open();
    try {
      const carol = await addUser(store, { username: 'carol', role: 'viewer', password: 'Velvet-Summit-Otter-58', displayName: 'Carol' }, 'admin');
      const session = await createSession(store, carol);
      await updateUser(store, 'carol', { password: 'Granite-Ferry-Plume-76' }, 'admin');
      expect(await userOfSession(store, session.cookie)).toBeUndefined();
      expect(await verifySignIn(store, 'carol', 'Velvet-Summit-Otter-58')).toBeUndefined();
      expect(await verifySignIn(store, 'carol', 'Granite-Ferry-Plume-76')).toMatchObject({ username: 'carol' });
      const promoted = await updateUser(store, 'carol', { role: 'reviewer', displayName: null }, 'admin');
      expect(promoted).toMatchObject({ role: 'reviewer', displayName: null, disabled: false });
      await updateUser(store, 'carol', { disabled: true }, 'admin');
      await updateUser(store, 'carol', { disabled: false }, 'admin');
      await expect(updateUser(store, 'dave', { role: 'viewer' }, 'admin')).rejects.toThrow(/no user named "dave"/);
      await expect(updateUser(store, 'carol', { role: 'root' }, 'admin')).rejects.toThrow(/role must be one of/);

      const entries = (await listAuditLog(store, { entityType: 'user' })).reverse();
      expect(entries.map((e) => e.action)).toEqual(['user.add', 'user.password', 'user.update', 'user.disable', 'user.enable']);
      expect(entries[1]).toMatchObject({ before: { role: 'viewer' }, after: { role: 'viewer', passwordChanged: true } });
      expect(entries[2]).toMatchObject({ before: { role: 'viewer', displayName: 'Carol' }, after: { role: 'reviewer', displayName: null } });
      expect(JSON.stringify(entries)).not.toMatch(/scrypt|password-/);
    } finally {
      await store.close();
    }
  });

  it('restricts incidents to named people and hides them from everyone else, admins included', async () => {
    const store = await open();
    try {
      const id = await importRansomware(store);
      expect(await canSee(store, { username: 'bob', role: 'viewer' }, id)).toBe(true);
      expect(await restrictIncident(store, id, ['alice', ' carol ', 'alice'], 'admin')).toEqual(['alice', 'carol']);
      expect(await accessList(store, id)).toEqual(['alice', 'carol']);
      expect(await incidentAccess(store, { username: 'alice', role: 'viewer' }, id)).toEqual({ visible: true, restrictedTo: ['alice', 'carol'] });
      expect(await canSee(store, { username: 'bob', role: 'reviewer' }, id)).toBe(false);
      expect(await canSee(store, { username: 'alice', role: 'viewer' }, id)).toBe(true);
      // No role is exempt: an admin not on the list does not see the incident either.
      expect(await canSee(store, { username: 'root', role: 'admin' }, id)).toBe(false);
      expect([...(await hiddenIncidents(store, { username: 'root', role: 'admin' }))]).toEqual([id]);
      expect(await canSee(store, { username: 'carol', role: 'admin' }, id)).toBe(true);
      expect([...(await hiddenIncidents(store, { username: 'bob', role: 'analyst' }))]).toEqual([id]);
      expect((await hiddenIncidents(store, { username: 'carol', role: 'analyst' })).size).toBe(0);
      await restrictIncident(store, id, [], 'admin');
      expect(await canSee(store, { username: 'bob', role: 'viewer' }, id)).toBe(true);

      const changes = await listAuditLog(store, { entityType: 'incident' });
      expect(changes.map((e) => [e.action, e.entityId, e.actor])).toEqual([
        ['incident.unrestrict', id, 'admin'],
        ['incident.restrict', id, 'admin'],
      ]);
      expect(changes[0]).toMatchObject({ before: { restrictedTo: ['alice', 'carol'] }, after: { restrictedTo: [] } });
      expect(changes[1]).toMatchObject({ before: { restrictedTo: [] }, after: { restrictedTo: ['alice', 'carol'] } });
    } finally {
      await store.close();
    }
  });

  it('shows a reader the audit log without the incidents hidden from them, but keeps their access changes', async () => {
    const store = await open();
    try {
      const id = await importRansomware(store);
      await addUser(store, { username: 'alice', role: 'admin' }, 'admin');
      await restrictIncident(store, id, ['carol'], 'admin');
      const everything = await listAuditLog(store);
      expect(everything.map((e) => e.action)).toEqual(['incident.restrict', 'user.add', 'incident.import']);

      // A reviewer on the list sees the incident's entries; the admin's account entry is counted, not shown.
      const forCarol = await auditPageForReader(store, { username: 'carol', role: 'reviewer' }, {});
      expect(forCarol.entries).toEqual(everything.filter((e) => e.action !== 'user.add'));
      expect(forCarol).toMatchObject({ hidden: 1, redacted: 0, nextBefore: null });
      // An admin not on the list sees every entry: the import of the hidden incident says who did
      // what and when, without the incident or its content.
      const forRoot = await auditPageForReader(store, { username: 'root', role: 'admin' }, {});
      expect(forRoot.entries.map((e) => e.action)).toEqual(['incident.restrict', 'user.add', 'incident.import']);
      expect(forRoot.entries[2]).toMatchObject({ actor: 'cli:test', entityId: 'restricted incident', before: null, after: null, redacted: true });
      expect(JSON.stringify(forRoot.entries[2])).not.toContain(id);
      expect(forRoot).toMatchObject({ hidden: 0, redacted: 1 });
      // A reviewer not on the list sees nothing of it, not even its access list: only a count.
      const forBob = await auditPageForReader(store, { username: 'bob', role: 'reviewer' }, {});
      expect(forBob.entries).toEqual([]);
      expect(forBob.hidden).toBe(3);
      // Paging: one entry a page, the next page starts below it.
      const first = await auditPageForReader(store, { username: 'root', role: 'admin' }, { limit: 1 });
      expect(first.entries.map((e) => e.seq)).toEqual([3]);
      expect(first.nextBefore).toBe(3);
      expect(await auditLogForReader(store, { username: 'root', role: 'admin' }, { limit: 1, before: 3 })).toEqual([expect.objectContaining({ action: 'user.add' })]);
      // The incident filter keeps the entries about it.
      expect((await auditPageForReader(store, { username: 'carol', role: 'reviewer' }, { incident: id })).entries.map((e) => e.action)).toEqual(['incident.restrict', 'incident.import']);
      expect((await auditPageForReader(store, { username: 'root', role: 'admin' }, { actions: ['user.add'] })).entries.map((e) => e.action)).toEqual(['user.add']);
      expect((await auditPageForReader(store, { username: 'root', role: 'admin' }, { since: '2999-01-01T00:00:00.000Z' })).entries).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('audits review writes with before and after', async () => {
    const store = await open();
    try {
      const id = await importRansomware(store);
      const finding = await addFinding(store, id, { category: 'technical-lapse', title: 'No alert on the encryption burst' }, { actor: 'alice' });
      await editFinding(store, finding.id, { title: 'No alert on the mass encryption' }, { actor: 'bob', expectedVersion: finding.version });
      await expect(editFinding(store, finding.id, { title: 'stale' }, { actor: 'carol', expectedVersion: finding.version })).rejects.toThrow();
      const entries = await listAuditLog(store, { entityType: 'finding' });
      expect(entries).toHaveLength(2);
      expect(entries[0]).toMatchObject({ actor: 'bob', action: 'finding.edit', entityId: finding.id, before: { title: 'No alert on the encryption burst' }, after: { title: 'No alert on the mass encryption' } });
      expect(entries[1]).toMatchObject({ actor: 'alice', action: 'finding.add', entityId: finding.id, before: null });
      expect((await verifyAuditTrail(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('an audit entry as a reader sees it', () => {
  const entry = (over: Partial<AuditEntry>): AuditEntry => ({ seq: 1, at: '2026-01-01T00:00:00.000Z', actor: 'a', action: 'x', entityType: 'thing', entityId: 'e', before: null, after: null, prevHash: '0', hash: '1', ...over });
  const hidden = new Set(['inc_secret']);

  it('leaves out entries about a hidden incident, whatever entity they name it through', () => {
    expect(auditEntryForReader(entry({ entityType: 'review', entityId: 'inc_secret' }), hidden)).toBeUndefined();
    expect(auditEntryForReader(entry({ entityType: 'section', entityId: 'inc_secret/summary' }), hidden)).toBeUndefined();
    expect(auditEntryForReader(entry({ entityType: 'finding', entityId: 'fnd_1', after: { incidentId: 'inc_secret' } }), hidden)).toBeUndefined();
    expect(auditEntryForReader(entry({ entityType: 'playbook', entityId: 'pb', before: { drivenByIncidentId: 'inc_secret' } }), hidden)).toBeUndefined();
    const other = entry({ entityType: 'finding', entityId: 'fnd_2', after: { incidentId: 'inc_open' } });
    expect(auditEntryForReader(other, hidden)).toBe(other);
    const restrict = entry({ entityType: 'incident', entityId: 'inc_secret', action: 'incident.restrict' });
    expect(auditEntryForReader(restrict, hidden)).toBe(restrict);
  });

  it("keeps an import's other incidents and counts them in place of a hidden id", () => {
    const imported = entry({ entityType: 'import', entityId: 'inc_secret', after: { files: ['a.json'], incidents: [{ id: 'inc_secret' }, { id: 'inc_open' }] } });
    expect(auditEntryForReader(imported, hidden)).toMatchObject({ entityId: '1 incidents', after: { files: ['a.json'], incidents: [{ id: 'inc_open' }] } });
    expect(auditEntryForReader(imported, new Set())).toBe(imported);
  });
});
