import { afterAll, describe, expect, it } from 'vitest';
import { confirmedTechniques, confirmTechniques, incidentCoverageAggregate, unconfirmTechniques } from '../../../src/app/coverage.js';
import { NotFoundError, UsageError } from '../../../src/model/errors.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';
import { miniKb } from '../../attack/mini.js';
import { ransomwareIncident } from '../../fixtures/playbooks/incident.js';
import { pgAvailable, requireOrSkip } from '../../helpers/env.js';
import { postgresSchemas } from '../../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL confirmed-technique tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_confirmed');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const kb = miniKb();

/** Two incidents: the ransomware fixture (source id 9001) and a copy of it (9002). */
async function twoIncidents(store: OpenedStore): Promise<[string, string]> {
  const { results } = await store.importIncidents([ransomwareIncident(), { ...ransomwareIncident(), sourceId: '9002', title: 'Another one' }]);
  return [results[0]?.id as string, results[1]?.id as string];
}

async function rowsOf(store: OpenedStore): Promise<{ incidentId: string; techniqueId: string; confirmedBy: string | null; confirmedAt: string; note: string | null }[]> {
  return store.db.selectFrom('reviewConfirmedTechniques').selectAll().orderBy('incidentId').orderBy('techniqueId').execute();
}

async function auditOf(store: OpenedStore): Promise<{ actor: string; action: string; entityType: string; entityId: string; before: unknown; after: unknown }[]> {
  const rows = await store.db.selectFrom('auditLog').selectAll().where('entityType', '=', 'confirmed-techniques').orderBy('seq').execute();
  return rows.map((r) => ({
    actor: r.actor,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
  }));
}

describe.each(targets)('confirmed techniques on $name', ({ open }) => {
  it('unconfirm removes only the named confirmations, audits them, and the listing and coverage follow', async () => {
    const store = await open();
    try {
      const [first, second] = await twoIncidents(store);
      // T1086 is revoked in the mini bundle: stored as its replacement T1059.001.
      const confirmed = await confirmTechniques(store, kb, 'test:alice', '9001', { techniques: ['T1562', 'T1086', 'T1547'], confirmedBy: 'alice', note: 'from the review' });
      expect(confirmed.confirmed.map((c) => c.techniqueId)).toEqual(['T1059.001', 'T1547', 'T1562']);
      await confirmTechniques(store, kb, 'test:bob', '9002', { techniques: ['T1562'], confirmedBy: 'bob' });
      const before = await rowsOf(store);

      const result = await unconfirmTechniques(store, kb, 'test:alice', '9001', ['t1562']);
      expect(result.incident).toBe(first);
      expect(result.removed).toEqual([before.find((r) => r.incidentId === first && r.techniqueId === 'T1562')]);
      expect(result.confirmed.map((c) => c.techniqueId)).toEqual(['T1059.001', 'T1547']);
      expect(result.notConfirmed).toEqual([]);

      // The row is gone; every other confirmation, of this incident and the other, is untouched.
      const after = await rowsOf(store);
      expect(after).toEqual(before.filter((r) => !(r.incidentId === first && r.techniqueId === 'T1562')));
      expect(after.find((r) => r.incidentId === second)).toMatchObject({ techniqueId: 'T1562', confirmedBy: 'bob' });

      // The audit trail has the confirmations and the removal, with the incident's confirmations before and after.
      const audit = await auditOf(store);
      expect(audit.map((e) => [e.action, e.actor, e.entityId])).toEqual([
        ['coverage.confirm', 'test:alice', first],
        ['coverage.confirm', 'test:bob', second],
        ['coverage.unconfirm', 'test:alice', first],
      ]);
      const removal = audit[2] as (typeof audit)[number];
      expect((removal.before as { confirmed: { techniqueId: string }[] }).confirmed.map((c) => c.techniqueId)).toEqual(['T1059.001', 'T1547', 'T1562']);
      expect(removal.after).toEqual({ confirmed: result.confirmed });

      // The listing no longer has it, and coverage no longer counts it as confirmed for this incident.
      const listed = await confirmedTechniques(store, kb, first);
      expect(listed.confirmed.map((c) => c.techniqueId)).toEqual(['T1059.001', 'T1547']);
      expect(listed.detection.techniques.find((t) => t.id === 'T1562')).toBeUndefined();
      const aggregate = await incidentCoverageAggregate(store);
      expect(aggregate.confirmed).toEqual(
        expect.arrayContaining([
          { incidentId: second, techniqueId: 'T1562' },
          { incidentId: first, techniqueId: 'T1547' },
        ]),
      );
      expect(aggregate.confirmed).not.toContainEqual({ incidentId: first, techniqueId: 'T1562' });
    } finally {
      await store.close();
    }
  });

  it('a revoked ID removes its replacement; techniques that are not confirmed are reported, and when none is, nothing changes', async () => {
    const store = await open();
    try {
      const [first] = await twoIncidents(store);
      await confirmTechniques(store, kb, 'test:alice', first, { techniques: ['T1086', 'T1547'] });

      const partial = await unconfirmTechniques(store, kb, 'test:alice', first, ['T1086', 'T1036']);
      expect(partial.removed.map((c) => c.techniqueId)).toEqual(['T1059.001']);
      expect(partial.notConfirmed).toEqual(['T1036']);
      expect((await rowsOf(store)).map((r) => r.techniqueId)).toEqual(['T1547']);

      const rows = await rowsOf(store);
      const entries = (await auditOf(store)).length;
      await expect(unconfirmTechniques(store, kb, 'test:alice', first, ['T1036', 'T1562'])).rejects.toThrow(NotFoundError);
      await expect(unconfirmTechniques(store, kb, 'test:alice', first, ['T1036'])).rejects.toThrow(/T1036 is not confirmed for incident .*\(confirmed: T1547\); nothing changed/);
      await expect(unconfirmTechniques(store, kb, 'test:alice', 'no-such-incident', ['T1547'])).rejects.toThrow(NotFoundError);
      await expect(unconfirmTechniques(store, kb, 'test:alice', first, ['T1547', 'powershell'])).rejects.toThrow(UsageError);
      expect(await rowsOf(store)).toEqual(rows);
      expect((await auditOf(store)).length).toBe(entries);
    } finally {
      await store.close();
    }
  });
});
