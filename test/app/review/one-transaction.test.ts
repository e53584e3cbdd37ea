/**
 * One command, one transaction: an action item's fields and status change together or not at all;
 * parallel first edits of a required review all succeed (no false conflicts when each moves it to draft).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { addActionItem, addFinding, changeActionItem, getActionItem, getReview, listFindings } from '../../../src/app/review/index.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';
import { insertReviewRecords } from '../../../src/store/reviews/records.js';
import { sampleIncident } from '../../fixtures/review/incident.js';
import { pgAvailable, requireOrSkip } from '../../helpers/env.js';
import { postgresSchemas } from '../../helpers/pg.js';

type Opener = (url?: string) => Promise<{ store: OpenedStore; url: string }>;

const pg = await pgAvailable();
const targets: { name: string; open: Opener }[] = [{ name: 'SQLite', open: async () => ({ store: await openStore({ db: ':memory:' }), url: ':memory:' }) }];
if (requireOrSkip('PostgreSQL one-transaction tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_onetx');
  targets.push({
    name: 'PostgreSQL',
    open: async (url) => {
      const db = url ?? schemas.next();
      return { store: await openStore({ db }), url: db };
    },
  });
  afterAll(() => schemas.dropAll());
}

describe.each(targets)('one command, one transaction on $name', ({ name, open }) => {
  it('saves nothing of an action item update whose status move is refused', async () => {
    const { store } = await open();
    try {
      const { results } = await store.importIncidents([sampleIncident()]);
      const incidentId = results[0]?.id as string;
      const item = await addActionItem(store, incidentId, { type: 'fix', title: 'Rotate keys' }, { actor: 'ana' });
      const audit = await store.db.selectFrom('auditLog').select('seq').execute();
      // open -> verified needs how and the evidence: refused, so the new title is not saved either.
      await expect(changeActionItem(store, item.id, { title: 'Rotate every key', owner: 'bo' }, { status: 'verified' }, { actor: 'ana' })).rejects.toThrow(/verif/);
      expect(await getActionItem(store, item.id)).toMatchObject({ title: 'Rotate keys', owner: null, status: 'open', version: item.version });
      expect(await store.db.selectFrom('auditLog').select('seq').execute()).toHaveLength(audit.length);

      const done = await changeActionItem(store, item.id, { title: 'Rotate every key' }, { status: 'in-progress' }, { actor: 'ana' });
      expect(done).toMatchObject({ title: 'Rotate every key', status: 'in-progress' });
    } finally {
      await store.close();
    }
  });

  it('lets 20 parallel first edits of a required review all succeed, moving it to draft once', async () => {
    const first = await open();
    const stores = [first.store];
    try {
      const { results } = await first.store.importIncidents([sampleIncident()]);
      const incidentId = results[0]?.id as string;
      await insertReviewRecords(first.store.db, [{ incidentId, state: 'required', requiredBy: 'high-severity' }], { actor: 'policy', at: new Date().toISOString() });
      // Several stores: on PostgreSQL, several pools of connections writing at once.
      if (name === 'PostgreSQL') for (let i = 0; i < 4; i++) stores.push((await open(first.url)).store);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => addFinding(stores[i % stores.length] as OpenedStore, incidentId, { category: 'technical-lapse', title: `Finding ${i}` }, { actor: `analyst${i}` })),
      );
      const failed = outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason));
      expect(failed).toEqual([]);
      expect(await listFindings(first.store, incidentId)).toHaveLength(20);
      expect(await getReview(first.store, incidentId)).toMatchObject({ state: 'draft' });
    } finally {
      for (const s of stores) await s.close();
    }
  });
});
