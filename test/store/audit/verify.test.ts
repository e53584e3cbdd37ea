import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { appendAuditEntry, auditHash, auditMac } from '../../../src/store/audit/chain.js';
import { loadOrCreateKeyring, newKey, readKeyring, rotateKeyring, currentKey } from '../../../src/store/audit/keyring.js';
import { listAuditEntries } from '../../../src/store/audit/list.js';
import { verifyAuditChain } from '../../../src/store/audit/verify.js';
import { openStore, type AuditLogTable, type OpenedStore } from '../../../src/store/index.js';
import type { AuditAnchor } from '../../../src/model/audit.js';
import { pgAvailable, requireOrSkip } from '../../helpers/env.js';
import { postgresSchemas } from '../../helpers/pg.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-audit-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let stores = 0;

const pg = await pgAvailable();
const targets: { name: string; open: (keyFile: string) => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: (auditKeyFile) => openStore({ db: ':memory:', auditKeyFile }) }];
if (requireOrSkip('PostgreSQL audit chain tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_auditv');
  targets.push({ name: 'PostgreSQL', open: (auditKeyFile) => openStore({ db: schemas.next(), auditKeyFile }) });
  afterAll(() => schemas.dropAll());
}

/** A store with its own key file and five keyed entries. */
async function storeWithFive(open: (keyFile: string) => Promise<OpenedStore>): Promise<OpenedStore> {
  const store = await open(join(dir, `store-${++stores}.key`));
  for (let i = 1; i <= 5; i++) {
    const key = currentKey(loadOrCreateKeyring(store.auditKeyFile));
    await store.transaction((tx) => appendAuditEntry(tx.db, { actor: i % 2 ? 'alice' : 'bob', action: 'test.write', entityType: 'thing', entityId: `t${i}`, before: { n: i - 1 }, after: { n: i } }, key));
  }
  return store;
}

async function head(store: OpenedStore): Promise<AuditAnchor> {
  const last = (await listAuditEntries(store.db, { limit: 1 }))[0];
  const row = await store.db.selectFrom('auditLog').select('keyId').where('seq', '=', last?.seq ?? 0).executeTakeFirst();
  return { anchor: 'hindsight-audit', seq: last?.seq ?? 0, mac: last?.hash ?? '0'.repeat(64), keyId: row?.keyId ?? null, at: '2026-01-01T00:00:00.000Z' };
}

const verify = (store: OpenedStore, anchors: AuditAnchor[] = []) => verifyAuditChain(store.db, readKeyring(store.auditKeyFile), anchors);

async function row(store: OpenedStore, seq: number): Promise<AuditLogTable> {
  const r = (await sql<AuditLogTable>`select seq, at, actor, action, entity_type as "entityType", entity_id as "entityId", before, after, prev_hash as "prevHash", hash, key_id as "keyId" from audit_log where seq = ${seq}`.execute(store.db)).rows[0];
  if (!r) throw new Error(`entry ${seq} missing`);
  return { ...r, seq: Number(r.seq) };
}

describe.each(targets)('the audit chain on $name', ({ open }) => {
  it('creates the key file owner-only at first use and lists newest first with filters and paging', async () => {
    const store = await storeWithFive(open);
    try {
      expect(statSync(store.auditKeyFile).mode & 0o777).toBe(0o600);
      expect((await listAuditEntries(store.db)).map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
      expect((await listAuditEntries(store.db, { actor: 'bob' })).map((e) => e.entityId)).toEqual(['t4', 't2']);
      expect((await listAuditEntries(store.db, { before: 4, limit: 2 })).map((e) => e.seq)).toEqual([3, 2]);
      expect(await verify(store, [await head(store)])).toMatchObject({ ok: true, entries: 5, unkeyed: 0, anchors: 1 });
    } finally {
      await store.close();
    }
  });

  it('finds the last entries deleted, against the anchor', async () => {
    const store = await storeWithFive(open);
    try {
      const anchor = await head(store);
      await sql`delete from audit_log where seq >= 4`.execute(store.db);
      expect((await verify(store)).ok).toBe(true); // the chain alone cannot tell: that is what anchors are for
      expect(await verify(store, [anchor])).toMatchObject({ ok: false, entries: 3, firstBroken: { seq: 4, reason: expect.stringMatching(/entries 4 to 5 were removed/) } });
    } finally {
      await store.close();
    }
  });

  it('finds every entry deleted, against the anchor', async () => {
    const store = await storeWithFive(open);
    try {
      const anchor = await head(store);
      await sql`delete from audit_log`.execute(store.db);
      expect(await verify(store, [anchor])).toMatchObject({ ok: false, entries: 0, firstBroken: { seq: 1, reason: expect.stringMatching(/every entry was removed/) } });
    } finally {
      await store.close();
    }
  });

  it('finds an entry appended with the unkeyed hash function or with a key of its own', async () => {
    const store = await storeWithFive(open);
    try {
      const last = await row(store, 5);
      const forged = { seq: 6, at: new Date().toISOString(), actor: 'mallory', action: 'test.write', entityType: 'thing', entityId: 't6', before: null, after: '{"n":6}', prevHash: last.hash };
      await store.db.insertInto('auditLog').values({ ...forged, hash: auditHash(forged), keyId: null }).execute();
      expect((await verify(store)).firstBroken).toMatchObject({ seq: 6, reason: expect.stringMatching(/added without the audit key/) });

      await sql`delete from audit_log where seq = 6`.execute(store.db);
      const guess = { ...newKey(), id: last.keyId as string };
      await store.db.insertInto('auditLog').values({ ...forged, hash: auditMac(forged, guess), keyId: guess.id }).execute();
      expect((await verify(store)).firstBroken).toMatchObject({ seq: 6, reason: expect.stringMatching(/altered or forged/) });
    } finally {
      await store.close();
    }
  });

  it('finds an entry rewritten and the rest of the chain re-hashed, naming the rewritten entry', async () => {
    const store = await storeWithFive(open);
    try {
      const anchor = await head(store);
      // Without the key, the best an attacker can do is re-chain from entry 3 with the plain hash.
      let prevHash = (await row(store, 2)).hash;
      for (let seq = 3; seq <= 5; seq++) {
        const r = await row(store, seq);
        const changed = { ...r, prevHash, after: seq === 3 ? '{"n":99}' : r.after };
        const hash = auditHash(changed);
        await sql`update audit_log set after = ${changed.after}, prev_hash = ${prevHash}, hash = ${hash}, key_id = null where seq = ${seq}`.execute(store.db);
        prevHash = hash;
      }
      expect(await verify(store)).toMatchObject({ ok: false, entries: 2, firstBroken: { seq: 3, reason: expect.stringMatching(/added without the audit key/) } });
      expect((await verify(store, [anchor])).firstBroken?.seq).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('finds entries reordered and an altered entry', async () => {
    const store = await storeWithFive(open);
    try {
      const [r2, r3] = [await row(store, 2), await row(store, 3)];
      await sql`update audit_log set seq = 100 where seq = 2`.execute(store.db);
      await sql`update audit_log set seq = 2 where seq = 3`.execute(store.db);
      await sql`update audit_log set seq = 3 where seq = 100`.execute(store.db);
      expect((await verify(store)).firstBroken).toMatchObject({ seq: 2, reason: expect.stringMatching(/does not link/) });
      expect(r2.hash).not.toBe(r3.hash);

      const other = await storeWithFive(open);
      await sql`update audit_log set actor = ${'mallory'} where seq = 4`.execute(other.db);
      expect((await verify(other)).firstBroken).toMatchObject({ seq: 4, reason: expect.stringMatching(/altered or forged/) });
      await other.close();
    } finally {
      await store.close();
    }
  });

  it('cannot verify without the key file: names the first entry sealed with the missing key', async () => {
    const store = await storeWithFive(open);
    try {
      rmSync(store.auditKeyFile);
      expect(await verify(store)).toMatchObject({ ok: false, entries: 0, firstBroken: { seq: 1, reason: expect.stringMatching(/no audit key file/) } });
      // A new key made at the next write does not cover the old entries either.
      loadOrCreateKeyring(store.auditKeyFile);
      expect((await verify(store)).firstBroken).toMatchObject({ seq: 1, reason: expect.stringMatching(/is not in/) });
    } finally {
      await store.close();
    }
  });

  it('verifies entries sealed before and after a key rotation, and unkeyed entries from before keyed MACs', async () => {
    const store = await open(join(dir, `store-${++stores}.key`));
    try {
      // Entries written before migration 0011: plain SHA-256 links, no key.
      let prevHash = '0'.repeat(64);
      for (let seq = 1; seq <= 2; seq++) {
        const r = { seq, at: '2025-01-01T00:00:00.000Z', actor: 'old', action: 'test.write', entityType: 'thing', entityId: `o${seq}`, before: null, after: null, prevHash };
        prevHash = auditHash(r);
        await store.db.insertInto('auditLog').values({ ...r, hash: prevHash, keyId: null }).execute();
      }
      const first = loadOrCreateKeyring(store.auditKeyFile);
      await store.transaction((tx) => appendAuditEntry(tx.db, { actor: 'a', action: 'test.write', entityType: 'thing', entityId: 'k1' }, currentKey(first)));
      const { keyring } = rotateKeyring(first);
      await store.transaction((tx) => appendAuditEntry(tx.db, { actor: 'a', action: 'test.write', entityType: 'thing', entityId: 'k2' }, currentKey(keyring)));
      expect(keyring.keys).toHaveLength(2);
      expect(await verify(store, [await head(store)])).toMatchObject({ ok: true, entries: 4, unkeyed: 2 });
      expect((await row(store, 3)).keyId).toBe(first.keys[0]?.id);
      expect((await row(store, 4)).keyId).toBe(keyring.keys[1]?.id);

      // An unkeyed entry altered and re-hashed breaks the link of the first keyed entry after it.
      const r1 = await row(store, 1);
      const altered = { ...r1, actor: 'mallory' };
      const h1 = auditHash(altered);
      await sql`update audit_log set actor = 'mallory', hash = ${h1} where seq = 1`.execute(store.db);
      const r2 = await row(store, 2);
      await sql`update audit_log set prev_hash = ${h1}, hash = ${auditHash({ ...r2, prevHash: h1 })} where seq = 2`.execute(store.db);
      expect((await verify(store)).firstBroken).toMatchObject({ seq: 3, reason: expect.stringMatching(/does not link/) });
    } finally {
      await store.close();
    }
  });
});
