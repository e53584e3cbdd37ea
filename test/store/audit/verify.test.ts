import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { appendAuditEntry, auditHash } from '../../../src/store/audit/chain.js';
import { listAuditEntries } from '../../../src/store/audit/list.js';
import { verifyAuditChain } from '../../../src/store/audit/verify.js';
import { openStore, type AuditLogTable, type OpenedStore } from '../../../src/store/index.js';
import { pgAvailable, requireOrSkip } from '../../helpers/env.js';
import { postgresSchemas } from '../../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL audit chain tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_auditv');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

async function appendFive(store: OpenedStore): Promise<void> {
  for (let i = 1; i <= 5; i++) {
    await store.transaction((tx) => appendAuditEntry(tx.db, { actor: i % 2 ? 'alice' : 'bob', action: 'test.write', entityType: 'thing', entityId: `t${i}`, before: { n: i - 1 }, after: { n: i } }));
  }
}

describe.each(targets)('the audit chain on $name', ({ open }) => {
  it('lists newest first with filters and paging', async () => {
    const store = await open();
    try {
      await appendFive(store);
      expect((await listAuditEntries(store.db)).map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
      expect((await listAuditEntries(store.db, { actor: 'bob' })).map((e) => e.entityId)).toEqual(['t4', 't2']);
      expect(await listAuditEntries(store.db, { entityType: 'thing', entityId: 't3' })).toEqual([expect.objectContaining({ seq: 3, before: { n: 2 }, after: { n: 3 } })]);
      expect((await listAuditEntries(store.db, { before: 4, limit: 2 })).map((e) => e.seq)).toEqual([3, 2]);
    } finally {
      await store.close();
    }
  });

  it('detects an altered, a deleted and a re-chained entry, naming the first broken link', async () => {
    const store = await open();
    try {
      await appendFive(store);
      const ok = await verifyAuditChain(store.db);
      expect(ok).toMatchObject({ ok: true, entries: 5 });
      expect(ok.lastHash).toBe((await listAuditEntries(store.db, { limit: 1 }))[0]?.hash);

      await sql`update audit_log set after = ${'{"n":99}'} where seq = 3`.execute(store.db);
      expect(await verifyAuditChain(store.db)).toMatchObject({ ok: false, entries: 2, firstBroken: { seq: 3, reason: expect.stringMatching(/altered/) } });

      // Recomputing entry 3's own hash does not help: entry 4 still points at the old one.
      const row = await sql<Omit<AuditLogTable, 'hash'>>`select * from audit_log where seq = 3`.execute(store.db);
      const r3 = row.rows[0];
      if (!r3) throw new Error('entry 3 missing');
      await sql`update audit_log set hash = ${auditHash({ ...r3, seq: Number(r3.seq) })} where seq = 3`.execute(store.db);
      expect((await verifyAuditChain(store.db)).firstBroken).toMatchObject({ seq: 4, reason: expect.stringMatching(/prev_hash/) });

      await sql`delete from audit_log where seq = 2`.execute(store.db);
      expect((await verifyAuditChain(store.db)).firstBroken).toMatchObject({ seq: 2, reason: expect.stringMatching(/missing/) });
    } finally {
      await store.close();
    }
  });
});
