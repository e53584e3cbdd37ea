import type { Kysely } from 'kysely';
import { ConflictError } from '../../model/errors.js';
import type { Database, PlaybookVersionsTable } from '../database.js';
import { parseJsonText, toJsonText } from '../json-text.js';

/**
 * The team's playbook library as stored (migration 0004): one row per playbook with its current
 * version number, every version kept whole (the CACAO document as JSON text, its content hash, the
 * technique links), and the links of each playbook's current version. Validation, hashing and the
 * CACAO shape are the callers' (playbooks/library.ts); this module reads and writes rows.
 */

type Db = Kysely<Database>;

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;

export interface LibraryPlaybookSummary {
  id: string;
  name: string;
  currentVersion: number;
  techniques: string[];
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** One stored version of a playbook. */
export interface PlaybookVersionRecord {
  playbookId: string;
  version: number;
  /** The CACAO document as stored (JSON text, validated before it was written). */
  cacao: string;
  contentHash: string;
  techniques: string[];
  reason: string | null;
  createdBy: string;
  createdAt: string;
  drivenByIncidentId: string | null;
  drivenByFindingId: string | null;
}

function toRecord(r: PlaybookVersionsTable): PlaybookVersionRecord {
  return {
    playbookId: r.playbookId,
    version: Number(r.version),
    cacao: r.cacao,
    contentHash: r.contentHash,
    techniques: parseJsonText(r.techniques),
    reason: r.reason,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    drivenByIncidentId: r.drivenByIncidentId,
    drivenByFindingId: r.drivenByFindingId,
  };
}

/** Every playbook with its current version's technique links, by name. */
export async function listPlaybooks(db: Db): Promise<LibraryPlaybookSummary[]> {
  const rows = await db.selectFrom('playbooks').selectAll().orderBy('name').orderBy('id').execute();
  const links = await db.selectFrom('playbookTechniques').selectAll().orderBy('techniqueId').execute();
  const byPlaybook = new Map<string, string[]>();
  for (const l of links) byPlaybook.set(l.playbookId, [...(byPlaybook.get(l.playbookId) ?? []), l.techniqueId]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    currentVersion: Number(r.currentVersion),
    techniques: byPlaybook.get(r.id) ?? [],
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedBy: r.updatedBy,
    updatedAt: r.updatedAt,
  }));
}

/** The current version number of a playbook, or undefined when the library has no such playbook. */
export async function currentVersionOf(db: Db, id: string): Promise<number | undefined> {
  const row = await db.selectFrom('playbooks').select('currentVersion').where('id', '=', id).executeTakeFirst();
  return row ? Number(row.currentVersion) : undefined;
}

/** A version of a playbook (default: the current one), or undefined. */
export async function playbookVersion(db: Db, id: string, version?: number): Promise<PlaybookVersionRecord | undefined> {
  const wanted = version ?? (await currentVersionOf(db, id));
  if (wanted === undefined) return undefined;
  const row = await db.selectFrom('playbookVersions').selectAll().where('playbookId', '=', id).where('version', '=', wanted).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** Every version of a playbook, oldest first; empty when there is no such playbook. */
export async function playbookVersions(db: Db, id: string): Promise<PlaybookVersionRecord[]> {
  const rows = await db.selectFrom('playbookVersions').selectAll().where('playbookId', '=', id).orderBy('version').execute();
  return rows.map(toRecord);
}

/**
 * The current versions of the playbooks linked to any of these techniques, or to their parent
 * technique (a link to T1566 answers T1566.001), or to one of their sub-techniques. Malformed IDs
 * are ignored. In the order of the playbooks' names.
 */
export async function currentVersionsLinkedTo(db: Db, techniqueIds: readonly string[]): Promise<PlaybookVersionRecord[]> {
  const wanted = [...new Set(techniqueIds.map((t) => t.trim().toUpperCase()).filter((t) => TECHNIQUE_ID.test(t)))];
  if (wanted.length === 0) return [];
  const exact = [...new Set(wanted.flatMap((t) => [t, t.split('.')[0] as string]))];
  const parents = [...new Set(wanted.filter((t) => !t.includes('.')))];
  // One query: the current version of every playbook with a matching link.
  const rows = await db
    .selectFrom('playbookVersions as v')
    .innerJoin('playbooks as p', (j) => j.onRef('p.id', '=', 'v.playbookId').onRef('p.currentVersion', '=', 'v.version'))
    .selectAll('v')
    .select('p.name')
    .where('v.playbookId', 'in', (eb) =>
      eb
        .selectFrom('playbookTechniques as t')
        .select('t.playbookId')
        .where((w) => w.or([w('t.techniqueId', 'in', exact), ...parents.map((parent) => w('t.techniqueId', 'like', `${parent}.%`))])),
    )
    .execute();
  return rows.sort((a, b) => a.name.localeCompare(b.name) || a.playbookId.localeCompare(b.playbookId)).map(toRecord);
}

/** The new version of a playbook, as `storePlaybookVersion` writes it. */
export interface NewPlaybookVersion extends PlaybookVersionRecord {
  /** The playbook's name in this version (the library lists playbooks by it). */
  name: string;
}

/**
 * Writes a playbook's next version and makes it current: a new playbook when `expectedCurrent` is
 * null, else the version after `expectedCurrent`, which must still be the current one. The links of
 * the current version are replaced by the new version's. Refuses with a ConflictError (exit 1,
 * nothing written once the caller's transaction rolls back) when another writer got there first.
 * Call it inside a transaction.
 */
export async function storePlaybookVersion(db: Db, version: NewPlaybookVersion, expectedCurrent: number | null): Promise<void> {
  const { name, ...record } = version;
  const raced = () => new ConflictError(`playbook ${record.playbookId} was changed by someone else while saving; nothing was written, try again`);
  try {
    if (expectedCurrent !== null) {
      const updated = await db
        .updateTable('playbooks')
        .set({ name, currentVersion: record.version, updatedBy: record.createdBy, updatedAt: record.createdAt })
        .where('id', '=', record.playbookId)
        .where('currentVersion', '=', expectedCurrent)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw raced();
    } else {
      await db
        .insertInto('playbooks')
        .values({ id: record.playbookId, name, currentVersion: record.version, createdBy: record.createdBy, createdAt: record.createdAt, updatedBy: record.createdBy, updatedAt: record.createdAt })
        .execute();
    }
    await db.insertInto('playbookVersions').values({ ...record, techniques: toJsonText(record.techniques) }).execute();
  } catch (error) {
    throw isUniqueViolation(error) ? raced() : error;
  }
  await db.deleteFrom('playbookTechniques').where('playbookId', '=', record.playbookId).execute();
  if (record.techniques.length > 0) {
    await db.insertInto('playbookTechniques').values(record.techniques.map((techniqueId) => ({ playbookId: record.playbookId, techniqueId }))).execute();
  }
}

/** A primary-key clash: another writer stored the same playbook or version first (SQLite, PostgreSQL). */
function isUniqueViolation(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Whether the store holds an incident with this (Hindsight) id. */
export async function incidentExists(db: Db, incidentId: string): Promise<boolean> {
  return (await db.selectFrom('incidents').select('id').where('id', '=', incidentId).executeTakeFirst()) !== undefined;
}

/** The incident a review finding belongs to, or undefined when there is no such finding. */
export async function incidentOfFinding(db: Db, findingId: string): Promise<string | undefined> {
  return (await db.selectFrom('reviewFindings').select('incidentId').where('id', '=', findingId).executeTakeFirst())?.incidentId;
}
