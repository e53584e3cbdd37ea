import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { AuthStore, TOKEN_PREFIX } from '../../src/auth/auth-store.js';
import { listAudit, recordAudit, verifyAuditChain } from '../../src/auth/audit.js';
import { auditedReviewRepository } from '../../src/auth/audited-review.js';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';
import { ReviewRepository } from '../../src/review/repo.js';
import { importFiles } from '../../src/services/import-files.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL auth and audit tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_auth');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

describe('passwords', () => {
  it('hashes with scrypt, parameters encoded, and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
  });
});

describe.each(targets)('auth store and audit trail on $name', ({ open }) => {
  it('adds users, signs in, issues sessions and tokens, disables, and audits every write', async () => {
    const store = await open();
    try {
      const auth = new AuthStore(store.snake);
      const alice = await auth.addUser({ username: 'alice', role: 'analyst', password: 'alice-password-1' }, 'cli:test');
      expect(alice).toMatchObject({ username: 'alice', role: 'analyst', disabled: false });
      await expect(auth.addUser({ username: 'alice', role: 'viewer' }, 'cli:test')).rejects.toThrow(/already exists/);
      await expect(auth.addUser({ username: 'bob', role: 'superuser' }, 'cli:test')).rejects.toThrow(/role must be one of/);
      await expect(auth.addUser({ username: 'bob', role: 'viewer', password: 'short' }, 'cli:test')).rejects.toThrow(/at least 12/);

      expect(await auth.verifyLogin('alice', 'alice-password-1')).toMatchObject({ username: 'alice' });
      expect(await auth.verifyLogin('alice', 'wrong-password-1')).toBeUndefined();
      expect(await auth.verifyLogin('nobody', 'alice-password-1')).toBeUndefined();

      const session = await auth.createSession(alice);
      expect((await auth.sessionUser(session.cookie))?.user.username).toBe('alice');
      expect((await auth.sessionUser(session.cookie))?.csrfToken).toBe(session.csrfToken);
      const stored = await auth.db.selectFrom('sessions').select('id').execute();
      expect(stored.map((s) => s.id)).not.toContain(session.cookie);

      const { token, info } = await auth.createToken('alice', 'ci', 'cli:test');
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
      expect((await auth.tokenUser(token))?.username).toBe('alice');
      const hashes = await auth.db.selectFrom('api_tokens').select('token_hash').execute();
      expect(hashes[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hashes[0]?.token_hash).not.toContain(token);
      await auth.revokeToken(info.id, 'cli:test');
      expect(await auth.tokenUser(token)).toBeUndefined();

      const { token: second } = await auth.createToken('alice', 'other', 'cli:test');
      await auth.disableUser('alice', 'cli:test');
      expect(await auth.sessionUser(session.cookie)).toBeUndefined();
      expect(await auth.tokenUser(second)).toBeUndefined();
      expect(await auth.verifyLogin('alice', 'alice-password-1')).toBeUndefined();

      const actions = (await listAudit(store.snake)).map((e) => e.action).reverse();
      expect(actions).toEqual(['user.add', 'token.create', 'token.revoke', 'token.create', 'user.disable']);
      const disable = (await listAudit(store.snake, { limit: 1 }))[0];
      expect(disable).toMatchObject({ actor: 'cli:test', entityType: 'user', entityId: 'alice', before: { disabled: false }, after: { disabled: true } });
      expect(await verifyAuditChain(store.snake)).toMatchObject({ ok: true, entries: 5 });
    } finally {
      await store.close();
    }
  });

  it('detects an altered, a deleted and a re-chained entry, naming the first broken link', async () => {
    const store = await open();
    try {
      for (let i = 1; i <= 5; i++) await recordAudit(store.snake, { actor: 'alice', action: 'test.write', entityType: 'thing', entityId: `t${i}`, before: { n: i - 1 }, after: { n: i } });
      const ok = await verifyAuditChain(store.snake);
      expect(ok).toMatchObject({ ok: true, entries: 5 });

      await sql`update audit_log set after = ${'{"n":99}'} where seq = 3`.execute(store.snake);
      expect(await verifyAuditChain(store.snake)).toMatchObject({ ok: false, entries: 2, firstBroken: { seq: 3, reason: expect.stringMatching(/altered/) } });

      // Recomputing entry 3's own hash does not help: entry 4 still points at the old one.
      const { auditHash } = await import('../../src/auth/audit.js');
      const row = await sql<{ seq: number; at: string; actor: string; action: string; entity_type: string; entity_id: string; before: string | null; after: string | null; prev_hash: string }>`select * from audit_log where seq = 3`.execute(store.snake);
      const r3 = row.rows[0];
      if (!r3) throw new Error('entry 3 missing');
      await sql`update audit_log set hash = ${auditHash({ ...r3, seq: Number(r3.seq) })} where seq = 3`.execute(store.snake);
      expect((await verifyAuditChain(store.snake)).firstBroken).toMatchObject({ seq: 4, reason: expect.stringMatching(/prev_hash/) });

      await sql`delete from audit_log where seq = 2`.execute(store.snake);
      expect((await verifyAuditChain(store.snake)).firstBroken).toMatchObject({ seq: 2, reason: expect.stringMatching(/missing/) });
    } finally {
      await store.close();
    }
  });

  it('restricts incidents to named people and audits review writes with before and after', async () => {
    const store = await open();
    try {
      const imported = await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json')], { env: {} });
      const id = imported.results[0]?.id as string;
      const auth = new AuthStore(store.snake);
      expect(await auth.canSee({ username: 'bob', role: 'viewer' }, id)).toBe(true);
      await auth.restrictIncident(id, ['alice', ' carol ', 'alice'], 'admin');
      expect(await auth.accessList(id)).toEqual(['alice', 'carol']);
      expect(await auth.canSee({ username: 'bob', role: 'reviewer' }, id)).toBe(false);
      expect(await auth.canSee({ username: 'alice', role: 'viewer' }, id)).toBe(true);
      // No role is exempt: an admin not on the list does not see the incident either.
      expect(await auth.canSee({ username: 'root', role: 'admin' }, id)).toBe(false);
      expect([...(await auth.hiddenIncidents({ username: 'root', role: 'admin' }))]).toEqual([id]);
      expect(await auth.canSee({ username: 'carol', role: 'admin' }, id)).toBe(true);
      expect([...(await auth.hiddenIncidents({ username: 'bob', role: 'analyst' }))]).toEqual([id]);
      expect((await auth.hiddenIncidents({ username: 'carol', role: 'analyst' })).size).toBe(0);
      await auth.restrictIncident(id, [], 'admin');
      expect(await auth.canSee({ username: 'bob', role: 'viewer' }, id)).toBe(true);

      const repo = auditedReviewRepository(new ReviewRepository(store.snake), store.snake);
      const finding = await repo.addFinding(id, { category: 'technical-lapse', title: 'No alert on the encryption burst' }, { actor: 'alice' });
      await repo.editFinding(finding.id, { title: 'No alert on the mass encryption' }, { actor: 'bob', expectedVersion: finding.version });
      await expect(repo.editFinding(finding.id, { title: 'stale' }, { actor: 'carol', expectedVersion: finding.version })).rejects.toThrow();
      const entries = await listAudit(store.snake, { entityType: 'finding' });
      expect(entries).toHaveLength(2);
      expect(entries[0]).toMatchObject({ actor: 'bob', action: 'finding.edit', entityId: finding.id, before: { title: 'No alert on the encryption burst' }, after: { title: 'No alert on the mass encryption' } });
      expect(entries[1]).toMatchObject({ actor: 'alice', action: 'finding.add', entityId: finding.id, before: null });
      expect((await verifyAuditChain(store.snake)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
