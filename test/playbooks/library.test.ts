import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, InputError, NotFoundError, UsageError } from '../../src/model/index.js';
import type { CacaoPlaybook } from '../../src/playbooks/cacao.js';
import { getPlaybook, listPlaybooks, playbookHistory, playbooksForTechniques, proposePlaybookChange, savePlaybook } from '../../src/app/playbooks.js';
import { asLibraryRefs, contentHash, type ProposePlaybookChange, type SavePlaybookInput } from '../../src/playbooks/library.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { toJsonText } from '../../src/store/json-text.js';
import { ransomwareIncident } from '../fixtures/playbooks/incident.js';
import { pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

type Opener = () => Promise<OpenedStore>;

const fixture = (): CacaoPlaybook => JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', 'playbooks', 'valid-playbook.json'), 'utf8')) as CacaoPlaybook;
const ID = fixture().id;

/** The library's use cases on one store, written as the audit actor `test:librarian`. */
function libraryOf(store: OpenedStore) {
  const actor = 'test:librarian';
  return {
    savePlaybook: (input: SavePlaybookInput) => savePlaybook(store, actor, input),
    proposePlaybookChange: (id: string, change: ProposePlaybookChange) => proposePlaybookChange(store, actor, id, change),
    getPlaybook: (id: string, version?: number) => getPlaybook(store, id, version),
    history: (id: string) => playbookHistory(store, id),
    listPlaybooks: () => listPlaybooks(store),
    playbooksForTechniques: (ids: string[]) => playbooksForTechniques(store, ids),
  };
}

async function setUp(open: Opener): Promise<{ store: OpenedStore; lib: ReturnType<typeof libraryOf>; incidentId: string }> {
  const store = await open();
  const { results } = await store.importIncidents([ransomwareIncident()]);
  return { store, lib: libraryOf(store), incidentId: results[0]?.id as string };
}

/** A review finding of the incident, written straight into its table (the library only reads it). */
async function addFinding(store: OpenedStore, incidentId: string, id: string): Promise<{ id: string }> {
  const at = '2026-03-10T08:00:00.000Z';
  await store.db
    .insertInto('reviewFindings')
    .values({
      id,
      incidentId,
      category: 'procedural-failure',
      title: 'Backups were restored before the hosts were clean',
      description: '',
      severity: 'high',
      contributingFactors: toJsonText([]),
      timelineEventIds: toJsonText([]),
      techniques: toJsonText([]),
      evidence: toJsonText([]),
      acceptedRisk: null,
      version: 1,
      createdBy: 'ana',
      createdAt: at,
      updatedBy: 'ana',
      updatedAt: at,
    })
    .execute();
  return { id };
}

/** The library's audit entries, oldest first, with before and after parsed. */
async function playbookAudit(store: OpenedStore): Promise<{ actor: string; action: string; entityType: string; entityId: string; before: unknown; after: unknown }[]> {
  const rows = await store.db.selectFrom('auditLog').selectAll().where('entityType', '=', 'playbook').orderBy('seq').execute();
  return rows.map((r) => ({
    actor: r.actor,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
  }));
}

function librarySuite(open: Opener): void {
  it('versions a playbook: add, unchanged re-add, changed content, a proposal that records its incident, technique lookup', async () => {
    const { store, lib, incidentId } = await setUp(open);
    try {
      const first = await lib.savePlaybook({ playbook: fixture(), author: 'ana', reason: 'initial' });
      expect(first.created).toBe(true);
      expect(first.version).toMatchObject({ playbookId: ID, version: 1, techniques: ['T1486'], reason: 'initial', createdBy: 'ana', drivenByIncidentId: null });

      // Same content, only `modified` moved on: no new version.
      const again = await lib.savePlaybook({ playbook: { ...fixture(), modified: '2026-04-01T00:00:00.000Z' }, author: 'ben' });
      expect(again.created).toBe(false);
      expect(again.version.version).toBe(1);
      expect((await lib.history(ID)).map((v) => v.version)).toEqual([1]);

      // Changed content: version 2.
      const changed = { ...fixture(), description: 'Contain ransomware faster.' };
      const second = await lib.savePlaybook({ playbook: changed, author: 'ben', reason: 'clearer description' });
      expect(second).toMatchObject({ created: true, version: { version: 2, createdBy: 'ben', reason: 'clearer description' } });
      expect((await lib.getPlaybook(ID))?.playbook.description).toBe('Contain ransomware faster.');
      expect((await lib.getPlaybook(ID, 1))?.playbook.description).toBe(fixture().description);

      // A review finding proposes a change; the version records the incident and finding.
      const finding = await addFinding(store, incidentId, 'fnd_backups');
      const proposed = { ...changed, name: 'Ransomware response (verify before restore)', external_references: [{ name: 'mitre-attack', external_id: 'T1490' }] };
      const third = await lib.proposePlaybookChange(ID, { incidentId, findingId: finding.id, reason: 'restore only after verification', author: 'ana', playbook: proposed });
      expect(third.created).toBe(true);
      expect(third.version).toMatchObject({ version: 3, drivenByIncidentId: incidentId, drivenByFindingId: finding.id, techniques: ['T1486', 'T1490'] });
      const history = await lib.history(ID);
      expect(history.map((v) => [v.version, v.drivenByIncidentId])).toEqual([[1, null], [2, null], [3, incidentId]]);

      const list = await lib.listPlaybooks();
      expect(list).toEqual([expect.objectContaining({ id: ID, name: 'Ransomware response (verify before restore)', currentVersion: 3, techniques: ['T1486', 'T1490'], updatedBy: 'ana' })]);

      expect((await lib.playbooksForTechniques(['T1490'])).map((v) => [v.playbookId, v.version])).toEqual([[ID, 3]]);
      expect((await lib.playbooksForTechniques(['T1486.001'])).map((v) => v.playbookId)).toEqual([ID]);
      expect(await lib.playbooksForTechniques(['T1566'])).toEqual([]);
      expect(asLibraryRefs(await lib.playbooksForTechniques(['T1486']))[0]?.techniques).toEqual(['T1486', 'T1490']);

      // Three versions, three audit entries (the unchanged re-add recorded nothing), each naming the
      // version before and after it.
      const audit = await playbookAudit(store);
      expect(audit.map((e) => [e.action, e.actor, e.entityId])).toEqual([
        ['playbook.add', 'test:librarian', ID],
        ['playbook.add', 'test:librarian', ID],
        ['playbook.propose', 'test:librarian', ID],
      ]);
      expect(audit[0]?.before).toBeNull();
      expect(audit[0]?.after).toMatchObject({ playbookId: ID, version: 1, techniques: ['T1486'], reason: 'initial', createdBy: 'ana', drivenByIncidentId: null });
      expect(audit[1]?.before).toEqual(audit[0]?.after);
      expect(audit[2]?.before).toEqual(audit[1]?.after);
      expect(audit[2]?.after).toMatchObject({ version: 3, drivenByIncidentId: incidentId, drivenByFindingId: finding.id, techniques: ['T1486', 'T1490'] });
      expect((audit[2]?.after as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
      expect((audit[2]?.after as { sha256: string }).sha256).not.toBe((audit[1]?.after as { sha256: string }).sha256);
    } finally {
      await store.close();
    }
  });

  it('links explicit techniques, and a change of links alone is a new version', async () => {
    const { store, lib } = await setUp(open);
    try {
      await lib.savePlaybook({ playbook: fixture(), author: 'ana', techniques: ['t1566.001'] });
      expect((await lib.playbooksForTechniques(['T1566'])).map((v) => v.techniques)).toEqual([['T1566.001']]);
      const relinked = await lib.savePlaybook({ playbook: fixture(), author: 'ana', techniques: ['T1566.001', 'T1204'] });
      expect(relinked.version.version).toBe(2);
      expect(await lib.playbooksForTechniques(['T1486'])).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses a save that collides with another writer\'s version (conflict, exit 1) and writes nothing', async () => {
    const { store, lib } = await setUp(open);
    try {
      await lib.savePlaybook({ playbook: fixture(), author: 'ana' });
      // Another writer's version 2 landed between our read of the current version and our insert.
      const row = { playbookId: ID, version: 2, cacao: JSON.stringify(fixture()), contentHash: 'x', techniques: toJsonText<string[]>([]), reason: null, createdBy: 'ben', createdAt: '2026-03-10T09:30:00.000Z', drivenByIncidentId: null, drivenByFindingId: null };
      await store.db.insertInto('playbookVersions').values(row).execute();
      const error = await lib.savePlaybook({ playbook: { ...fixture(), name: 'mine' }, author: 'ana' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).exitCode).toBe(1);
      expect((await lib.listPlaybooks())[0]).toMatchObject({ currentVersion: 1, name: fixture().name });
      // The refused save recorded nothing either: only the first version's entry.
      expect((await playbookAudit(store)).map((e) => e.action)).toEqual(['playbook.add']);
    } finally {
      await store.close();
    }
  });

  it('refuses invalid documents, bad technique IDs, unknown incidents and findings, and writes nothing', async () => {
    const { store, lib, incidentId } = await setUp(open);
    try {
      const broken = { ...fixture(), workflow_start: 'start--00000000-0000-4000-8000-000000000000', created: 'yesterday' };
      const error = await lib.savePlaybook({ playbook: broken, author: 'ana', file: 'broken.json' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).location).toEqual({ file: 'broken.json', path: '$.created' });
      expect((error as InputError).message).toContain('$.workflow_start:');
      await expect(lib.savePlaybook({ playbook: fixture(), author: 'ana', techniques: ['T1486', 'X99'] })).rejects.toThrow(/not ATT&CK technique IDs.*X99/);
      await expect(lib.savePlaybook({ playbook: fixture(), author: 'ana', incidentId: 'inc-nope' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await lib.listPlaybooks()).toEqual([]);

      await expect(lib.proposePlaybookChange(ID, { incidentId, reason: 'r', author: 'ana', playbook: fixture() })).rejects.toBeInstanceOf(NotFoundError);
      await lib.savePlaybook({ playbook: fixture(), author: 'ana' });
      await expect(lib.proposePlaybookChange(ID, { incidentId, findingId: 'fnd-missing', reason: 'r', author: 'ana', playbook: { ...fixture(), name: 'x' } })).rejects.toThrow(/no review finding fnd-missing/);
      const other = { ...fixture(), id: 'playbook--9f6c1e7a-4b3d-4c8e-9a1f-0d2e3b4c5a6f' };
      await expect(lib.proposePlaybookChange(ID, { incidentId, reason: 'r', author: 'ana', playbook: other })).rejects.toThrow(/is not playbook--/);
      await expect(lib.proposePlaybookChange(ID, { incidentId, reason: ' ', author: 'ana', playbook: { ...fixture(), name: 'x' } })).rejects.toBeInstanceOf(UsageError);
      expect((await lib.history(ID)).length).toBe(1);
      expect((await playbookAudit(store)).length).toBe(1);
    } finally {
      await store.close();
    }
  });
}

describe('contentHash', () => {
  it('ignores `modified` and key order but not content or links', () => {
    const p = fixture();
    const reordered = Object.fromEntries(Object.entries(p).reverse()) as unknown as CacaoPlaybook;
    expect(contentHash({ ...p, modified: '2030-01-01T00:00:00.000Z' }, ['T1486'])).toBe(contentHash(reordered, ['T1486']));
    expect(contentHash({ ...p, name: 'other' }, ['T1486'])).not.toBe(contentHash(p, ['T1486']));
    expect(contentHash(p, ['T1490'])).not.toBe(contentHash(p, ['T1486']));
  });
});

describe('playbook library on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-playbooks-'));
  let n = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  librarySuite(() => openStore({ db: join(dir, `library-${++n}.db`) }));
});

const postgres = await pgAvailable();
const runPostgres = requireOrSkip('PostgreSQL for the playbook library tests', Boolean(postgres.url), postgres.reason);

describe.runIf(runPostgres)('playbook library on PostgreSQL', () => {
  const schemas = postgresSchemas(postgres.url as string, 'hs_playbooks');
  afterAll(() => schemas.dropAll());
  librarySuite(() => openStore({ db: schemas.next() }));
});
