import type { Kysely } from 'kysely';
import type { Database, RuleChangeKind } from '../database.js';
import { fromFlag, parseJsonText, toFlag, toJsonText } from '../json-text.js';

/**
 * The stored rule inventory (migration 0019): the rules as the latest import left them, every
 * import with its counts, and what each import added, changed and removed.
 */

type Db = Kysely<Database>;

export interface StoredRule {
  id: string;
  title: string;
  format: string;
  status: string | null;
  deprecated: boolean;
  techniques: string[];
  sourceFile: string;
  contentHash: string;
  addedImportId: string;
  changedImportId: string;
}

export interface RuleImportRecord {
  id: string;
  importedAt: string;
  importedBy: string;
  paths: string[];
  format: string;
  rules: number;
  added: number;
  changed: number;
  removed: number;
  techniquesCovered: number;
  coveredTechniques: string[];
}

export interface RuleChange {
  ruleId: string;
  change: RuleChangeKind;
  title: string;
  techniques: string[];
}

/** Every stored rule, by id. */
export async function listStoredRules(db: Db): Promise<StoredRule[]> {
  const rows = await db.selectFrom('ruleInventory').selectAll().orderBy('ruleId').execute();
  return rows.map((r) => ({
    id: r.ruleId,
    title: r.title,
    format: r.format,
    status: r.status,
    deprecated: fromFlag(r.deprecated),
    techniques: parseJsonText(r.techniques),
    sourceFile: r.sourceFile,
    contentHash: r.contentHash,
    addedImportId: r.addedImportId,
    changedImportId: r.changedImportId,
  }));
}

/**
 * Writes one import: its record, its changes, and the inventory it leaves (added and changed rules
 * written, removed ones deleted). The caller computed the changes against `listStoredRules` in the
 * same transaction.
 */
export async function writeRuleImport(db: Db, record: RuleImportRecord, changes: readonly RuleChange[], next: readonly Omit<StoredRule, 'addedImportId' | 'changedImportId'>[]): Promise<void> {
  await db
    .insertInto('ruleImports')
    .values({ ...record, paths: toJsonText(record.paths), coveredTechniques: toJsonText(record.coveredTechniques) })
    .execute();
  if (changes.length) {
    for (let i = 0; i < changes.length; i += 500) {
      await db
        .insertInto('ruleImportChanges')
        .values(changes.slice(i, i + 500).map((c) => ({ importId: record.id, ruleId: c.ruleId, change: c.change, title: c.title, techniques: toJsonText(c.techniques) })))
        .execute();
    }
  }
  const byId = new Map(next.map((r) => [r.id, r]));
  for (const c of changes) {
    if (c.change === 'removed') {
      await db.deleteFrom('ruleInventory').where('ruleId', '=', c.ruleId).execute();
      continue;
    }
    const r = byId.get(c.ruleId)!;
    const values = { title: r.title, format: r.format, status: r.status, deprecated: toFlag(r.deprecated), techniques: toJsonText(r.techniques), sourceFile: r.sourceFile, contentHash: r.contentHash, changedImportId: record.id };
    if (c.change === 'added') await db.insertInto('ruleInventory').values({ ruleId: r.id, ...values, addedImportId: record.id }).execute();
    else await db.updateTable('ruleInventory').set(values).where('ruleId', '=', r.id).execute();
  }
}

/** Every import, oldest first. */
export async function listRuleImports(db: Db): Promise<RuleImportRecord[]> {
  const rows = await db.selectFrom('ruleImports').selectAll().orderBy('importedAt').orderBy('id').execute();
  return rows.map((r) => ({ ...r, paths: parseJsonText(r.paths), coveredTechniques: parseJsonText(r.coveredTechniques), rules: Number(r.rules), added: Number(r.added), changed: Number(r.changed), removed: Number(r.removed), techniquesCovered: Number(r.techniquesCovered) }));
}

/** What one import added, changed and removed, by rule id. */
export async function listRuleImportChanges(db: Db, importId: string): Promise<RuleChange[]> {
  const rows = await db.selectFrom('ruleImportChanges').selectAll().where('importId', '=', importId).orderBy('ruleId').execute();
  return rows.map((r) => ({ ruleId: r.ruleId, change: r.change, title: r.title, techniques: parseJsonText(r.techniques) }));
}

/** The latest import, or undefined before the first. */
export async function latestRuleImport(db: Db): Promise<RuleImportRecord | undefined> {
  const all = await listRuleImports(db);
  return all[all.length - 1];
}
