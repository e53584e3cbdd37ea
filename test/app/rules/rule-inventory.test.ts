import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setActionItemTechniques, verifyDetectionItems } from '../../../src/app/detection-verification.js';
import { confirmInferred, dismissInferred, inferForIncident } from '../../../src/app/inference.js';
import { storedRuleIndex } from '../../../src/app/rule-index.js';
import { importRuleInventory, ruleInventoryHistory } from '../../../src/app/rule-inventory.js';
import { addActionItem, getActionItem } from '../../../src/app/review/index.js';
import { listAuditEntries } from '../../../src/store/audit/list.js';
import { listConfirmedTechniques } from '../../../src/store/coverage/confirmed-techniques.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';
import { listRuleImportChanges } from '../../../src/store/rules/inventory.js';
import { inferenceKb } from '../../analysis/inference/inference-kb.js';
import { sampleIncident } from '../../fixtures/review/incident.js';
import { pgAvailable, requireOrSkip } from '../../helpers/env.js';
import { postgresSchemas } from '../../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL rule inventory tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_rules');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const dir = mkdtempSync(join(tmpdir(), 'hindsight-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder holding Sigma rules, one per entry: id -> [title, tags, status]. */
function ruleFolder(name: string, rules: Record<string, [string, string[], string?]>): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (const [id, [title, tags, status]] of Object.entries(rules)) {
    writeFileSync(
      join(folder, `${id}.yml`),
      `title: ${title}\nid: ${id}\nstatus: ${status ?? 'stable'}\ntags:\n${tags.map((t) => `  - ${t}`).join('\n')}\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  selection:\n    Image|endswith: '\\\\x.exe'\n  condition: selection\n`,
    );
  }
  return folder;
}

const kb = inferenceKb();
const first = ruleFolder('first', {
  'aaaaaaaa-0000-4000-8000-000000000001': ['Encoded PowerShell', ['attack.t1059.001']],
  'aaaaaaaa-0000-4000-8000-000000000002': ['Masquerading binary', ['attack.t1036']],
});
const second = ruleFolder('second', {
  'aaaaaaaa-0000-4000-8000-000000000001': ['Encoded PowerShell, tuned', ['attack.t1059.001']],
  'aaaaaaaa-0000-4000-8000-000000000003': ['Disabled defender', ['attack.t1562']],
});
const third = ruleFolder('third', {
  'aaaaaaaa-0000-4000-8000-000000000001': ['Encoded PowerShell, retired', ['attack.t1059.001'], 'deprecated'],
  'aaaaaaaa-0000-4000-8000-000000000003': ['Disabled defender', ['attack.t1562']],
});

describe.each(targets)('rule inventory, verified closure and inference decisions on $name', ({ open }) => {
  it('keeps the history of imports and verifies, then regresses, a detection fix', async () => {
    const store = await open();
    try {
      const { results } = await store.importIncidents([sampleIncident()]);
      const incidentId = results[0]!.id;
      const item = await addActionItem(store, incidentId, { type: 'detection-engineering', title: 'Detect encoded PowerShell', owner: 'ben' }, { actor: 'ana' });
      const other = await addActionItem(store, incidentId, { type: 'fix', title: 'Patch' }, { actor: 'ana' });
      await expect(setActionItemTechniques(store, kb, 'ana', other.id, ['T1059.001'])).rejects.toThrow(/only detection-engineering/);
      await expect(setActionItemTechniques(store, kb, 'ana', item.id, ['T9999'])).rejects.toThrow(/T9999/);
      // T1086 is revoked: stored as its replacement.
      const named = await setActionItemTechniques(store, kb, 'ana', item.id, ['T1086']);
      expect(named).toMatchObject({ techniques: ['T1059.001'], state: 'pending' });
      expect(await storedRuleIndex(store, kb)).toBeNull();

      const a = await importRuleInventory(store, kb, 'ana', [first]);
      expect(a.import).toMatchObject({ rules: 2, added: 2, changed: 0, removed: 0, techniquesCovered: 2 });
      expect(a.verification).toEqual([expect.objectContaining({ actionItemId: item.id, before: 'pending', state: 'verified' })]);
      const verified = await getActionItem(store, item.id);
      expect(verified).toMatchObject({ status: 'verified', verificationMethod: 'rule-inventory' });
      expect(verified?.verificationEvidence).toContain('aaaaaaaa-0000-4000-8000-000000000001');
      expect(verified?.verificationEvidence).toContain(a.import.id);
      expect((await storedRuleIndex(store, kb))?.index.get('T1059.001')).toBe(1);

      const b = await importRuleInventory(store, kb, 'ana', [second]);
      expect(b.import).toMatchObject({ rules: 2, added: 1, changed: 1, removed: 1 });
      expect(await listRuleImportChanges(store.db, b.import.id)).toEqual([
        expect.objectContaining({ ruleId: 'aaaaaaaa-0000-4000-8000-000000000001', change: 'changed' }),
        expect.objectContaining({ ruleId: 'aaaaaaaa-0000-4000-8000-000000000002', change: 'removed' }),
        expect.objectContaining({ ruleId: 'aaaaaaaa-0000-4000-8000-000000000003', change: 'added' }),
      ]);
      // Still covered: verified, and the evidence keeps the import that first verified it.
      expect(b.verification[0]).toMatchObject({ before: 'verified', state: 'verified', evidence: { importId: a.import.id } });

      // The only rule for T1059.001 is now deprecated: coverage is lost.
      const c = await importRuleInventory(store, kb, 'ana', [third]);
      expect(c.verification[0]).toMatchObject({ before: 'verified', state: 'regressed', evidence: { uncovered: ['T1059.001'], importId: c.import.id } });
      expect(await getActionItem(store, item.id)).toMatchObject({ status: 'open', verificationMethod: null });
      const audit = { entries: await listAuditEntries(store.db, {}) };
      const regress = audit.entries.find((e) => e.action === 'action-item.regress');
      expect(regress).toMatchObject({ entityId: item.id });
      expect(JSON.stringify(regress?.after)).toContain('"owner":"ben"');
      expect(audit.entries.filter((e) => e.action === 'rules.import')).toHaveLength(3);
      // The owner is told through the notifications outbox, once for this import.
      const { undispatchedEvents } = await import('../../../src/store/notifications/outbox.js');
      const told = (await undispatchedEvents(store.db, 100)).filter((e) => e.kind === 'action.regressed');
      expect(told).toEqual([expect.objectContaining({ subjectId: item.id, recipients: ['ben'], facts: { 'No longer covered': 'T1059.001', 'Rules import': c.import.id } })]);

      const history = await ruleInventoryHistory(store);
      expect(history.imports.map((i) => i.techniquesCovered)).toEqual([2, 2, 1]);
      expect(history.imports[1]).toMatchObject({ gained: ['T1562'], lost: ['T1036'] });
      expect(history.imports[2]).toMatchObject({ gained: [], lost: ['T1059.001'] });

      // Nothing changed since: a re-check keeps the regression and adds no second one.
      const again = await verifyDetectionItems(store, kb, 'ana');
      expect(again).toMatchObject({ importId: c.import.id, regressions: [] });
      expect(again.items[0]).toMatchObject({ before: 'regressed', state: 'regressed' });
      expect((await undispatchedEvents(store.db, 100)).filter((e) => e.kind === 'action.regressed')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('stores an analyst confirming or dismissing an inferred technique', async () => {
    const store = await open();
    try {
      const { results } = await store.importIncidents([sampleIncident()]);
      const incident = (await store.getIncident(results[0]!.id))!;
      const before = await inferForIncident(store, kb, incident, { top: 5 });
      expect(before.incident?.id).toBe(incident.id);
      await dismissInferred(store, kb, 'ana', incident.id, ['T1036'], 'not in this environment');
      const after = await inferForIncident(store, kb, incident, { top: 5 });
      expect(after.techniques.map((t) => t.id)).not.toContain('T1036');
      expect(after.dismissed).toEqual([expect.objectContaining({ techniqueId: 'T1036', dismissedBy: 'ana', reason: 'not in this environment' })]);
      await expect(dismissInferred(store, kb, 'ana', incident.id, ['T0000'], null)).rejects.toThrow(/T0000/);
      // Confirming takes the dismissal back and joins the confirmed techniques (coverage's "missed").
      await confirmInferred(store, kb, 'ana', incident.id, ['T1036'], null);
      expect((await listConfirmedTechniques(store.db, incident.id)).map((c) => c.techniqueId)).toContain('T1036');
      const last = await inferForIncident(store, kb, incident, { top: 5 });
      expect(last.dismissed).toEqual([]);
      expect(last.observed).toContain('T1036');
      const audit = { entries: await listAuditEntries(store.db, {}) };
      expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['inference.dismiss', 'coverage.confirm', 'inference.undismiss']));
    } finally {
      await store.close();
    }
  });
});
