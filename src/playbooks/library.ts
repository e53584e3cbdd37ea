import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { ConflictError, InputError, NotFoundError, UsageError } from '../model/errors.js';
import type { Database } from '../store/schema.js';
import { attackIdsOf, type CacaoPlaybook } from './cacao.js';
import type { LibraryPlaybookRef } from './generate.js';
import { validateCacaoPlaybook } from './validate.js';

/**
 * The team's playbook library: CACAO 2.0 playbooks stored in the database (migration
 * `0004-playbook-library`), versioned, and linked to ATT&CK techniques.
 *
 * - A playbook is keyed by its CACAO `id`. Saving a document whose content (ignoring `modified`)
 *   and technique links equal the current version's creates nothing; any other change creates the
 *   next version. Every version is kept whole, with who made it, why, and when.
 * - Technique links: given explicitly, else the ATT&CK technique IDs (`T1234`, `T1234.001`) in the
 *   playbook's and its steps' external references (name "mitre-attack"). The links of the current
 *   version are the ones `playbooksForTechniques` searches.
 * - `proposePlaybookChange` is how a review changes a procedure: the new version records the
 *   incident (and optionally the review finding) that drove it.
 *
 * Every document is validated with `validateCacaoPlaybook` before anything is written; an invalid
 * one is refused whole (InputError naming the JSON path of every error).
 */

export type PlaybooksTable = {
  id: string;
  name: string;
  current_version: number;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
};

export type PlaybookVersionsTable = {
  playbook_id: string;
  version: number;
  cacao: string;
  content_hash: string;
  techniques: string;
  reason: string | null;
  created_by: string;
  created_at: string;
  driven_by_incident_id: string | null;
  driven_by_finding_id: string | null;
};

export type PlaybookTechniquesTable = {
  playbook_id: string;
  technique_id: string;
};

export type PlaybookLibraryTables = {
  playbooks: PlaybooksTable;
  playbook_versions: PlaybookVersionsTable;
  playbook_techniques: PlaybookTechniquesTable;
};

/** The review workflow's findings table, read only to check a proposal's finding. */
type FindingsTable = {
  review_findings: { id: string; incident_id: string };
};

type DB = Database & PlaybookLibraryTables & FindingsTable;
type Tx = Transaction<DB>;

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

export interface LibraryPlaybookVersion {
  playbookId: string;
  version: number;
  name: string;
  playbook: CacaoPlaybook;
  techniques: string[];
  reason: string | null;
  createdBy: string;
  createdAt: string;
  /** The incident whose review drove this version, if any. */
  drivenByIncidentId: string | null;
  /** The review finding that drove this version, if any. */
  drivenByFindingId: string | null;
}

export interface SavePlaybookInput {
  /** The CACAO document (validated before anything is written). */
  playbook: unknown;
  /** ATT&CK technique IDs to link; default: those in the playbook's external references. */
  techniques?: string[];
  reason?: string;
  author: string;
  /** The incident that drove this change. */
  incidentId?: string;
  /** The review finding that drove this change (must belong to `incidentId`). */
  findingId?: string;
  /** Where the document came from, for error messages. */
  file?: string;
}

export interface SavePlaybookResult {
  /** False when the content and links equal the current version's: nothing was written. */
  created: boolean;
  /** The new version, or the unchanged current one. */
  version: LibraryPlaybookVersion;
}

export interface ProposePlaybookChange {
  incidentId: string;
  findingId?: string;
  reason: string;
  author: string;
  /** The proposed CACAO document: the same playbook id, changed content. */
  playbook: unknown;
  techniques?: string[];
  file?: string;
}

const TECHNIQUE_RE = /^T\d{4}(\.\d{3})?$/;

export class PlaybookLibrary {
  private readonly db: Kysely<DB>;
  private readonly now: () => Date;

  constructor(db: Kysely<Database>, options: { now?: () => Date } = {}) {
    this.db = db.withTables<PlaybookLibraryTables & FindingsTable>();
    this.now = options.now ?? (() => new Date());
  }

  /** Runs a write in a transaction of its own, or in the caller's when the library was opened on one. */
  private transact<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this.db as unknown as Transaction<DB>);
    return this.db.transaction().execute(work);
  }

  /** Stores a playbook: a new playbook, a new version of it, or nothing when unchanged. */
  async savePlaybook(input: SavePlaybookInput): Promise<SavePlaybookResult> {
    const playbook = checkedPlaybook(input.playbook, input.file);
    const techniques = checkedTechniques(input.techniques ?? techniquesOf(playbook), input.techniques ? '--techniques' : undefined, input.file);
    const author = input.author.trim();
    if (!author) throw new UsageError('a playbook version needs an author');
    return this.transact(async (trx) => {
      if (input.incidentId !== undefined) await assertIncident(trx, input.incidentId);
      if (input.findingId !== undefined) {
        if (input.incidentId === undefined) throw new UsageError('a finding can only drive a change together with its incident');
        await assertFindingOf(trx, input.findingId, input.incidentId);
      }
      const hash = contentHash(playbook, techniques);
      const current = await trx.selectFrom('playbooks').selectAll().where('id', '=', playbook.id).executeTakeFirst();
      if (current) {
        const latest = await trx.selectFrom('playbook_versions').selectAll().where('playbook_id', '=', playbook.id).where('version', '=', current.current_version).executeTakeFirstOrThrow();
        if (latest.content_hash === hash) return { created: false, version: toVersion(latest) };
      }
      const at = this.now().toISOString();
      const version = current ? Number(current.current_version) + 1 : 1;
      const row: PlaybookVersionsTable = {
        playbook_id: playbook.id,
        version,
        cacao: JSON.stringify(playbook),
        content_hash: hash,
        techniques: JSON.stringify(techniques),
        reason: input.reason?.trim() || null,
        created_by: author,
        created_at: at,
        driven_by_incident_id: input.incidentId ?? null,
        driven_by_finding_id: input.findingId ?? null,
      };
      const raced = () => new ConflictError(`playbook ${playbook.id} was changed by someone else while saving; nothing was written, try again`);
      try {
        if (current) {
          const updated = await trx
            .updateTable('playbooks')
            .set({ name: playbook.name, current_version: version, updated_by: author, updated_at: at })
            .where('id', '=', playbook.id)
            .where('current_version', '=', current.current_version)
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) !== 1) throw raced();
        } else {
          await trx.insertInto('playbooks').values({ id: playbook.id, name: playbook.name, current_version: version, created_by: author, created_at: at, updated_by: author, updated_at: at }).execute();
        }
        await trx.insertInto('playbook_versions').values(row).execute();
      } catch (error) {
        throw isUniqueViolation(error) ? raced() : error;
      }
      await trx.deleteFrom('playbook_techniques').where('playbook_id', '=', playbook.id).execute();
      if (techniques.length > 0) await trx.insertInto('playbook_techniques').values(techniques.map((t) => ({ playbook_id: playbook.id, technique_id: t }))).execute();
      return { created: true, version: toVersion(row) };
    });
  }

  /**
   * A change to an existing playbook proposed from a post-incident review: validated, stored as the
   * next version, recording the incident (and finding) that drove it.
   */
  async proposePlaybookChange(playbookId: string, change: ProposePlaybookChange): Promise<SavePlaybookResult> {
    if (!(await this.getPlaybook(playbookId))) throw new NotFoundError(`no playbook ${playbookId} in the library (add it first: hindsight playbook library add FILE)`);
    const doc = change.playbook;
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'id' in doc && (doc as { id: unknown }).id !== playbookId) {
      throw new InputError(`the proposed playbook's id ${JSON.stringify((doc as { id: unknown }).id)} is not ${playbookId}`, { ...(change.file ? { file: change.file } : {}), path: '$.id' });
    }
    if (!change.reason.trim()) throw new UsageError('a proposed change needs a reason');
    return this.savePlaybook({
      playbook: doc,
      reason: change.reason,
      author: change.author,
      incidentId: change.incidentId,
      ...(change.findingId !== undefined ? { findingId: change.findingId } : {}),
      ...(change.techniques !== undefined ? { techniques: change.techniques } : {}),
      ...(change.file !== undefined ? { file: change.file } : {}),
    });
  }

  async listPlaybooks(): Promise<LibraryPlaybookSummary[]> {
    const rows = await this.db.selectFrom('playbooks').selectAll().orderBy('name').orderBy('id').execute();
    const links = await this.db.selectFrom('playbook_techniques').selectAll().orderBy('technique_id').execute();
    const byPlaybook = new Map<string, string[]>();
    for (const l of links) byPlaybook.set(l.playbook_id, [...(byPlaybook.get(l.playbook_id) ?? []), l.technique_id]);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      currentVersion: Number(r.current_version),
      techniques: byPlaybook.get(r.id) ?? [],
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedBy: r.updated_by,
      updatedAt: r.updated_at,
    }));
  }

  /** A version of a playbook (default: the current one), or undefined. */
  async getPlaybook(id: string, version?: number): Promise<LibraryPlaybookVersion | undefined> {
    let wanted = version;
    if (wanted === undefined) {
      const p = await this.db.selectFrom('playbooks').select('current_version').where('id', '=', id).executeTakeFirst();
      if (!p) return undefined;
      wanted = Number(p.current_version);
    }
    const row = await this.db.selectFrom('playbook_versions').selectAll().where('playbook_id', '=', id).where('version', '=', wanted).executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }

  /** Every version of a playbook, oldest first; empty when there is no such playbook. */
  async history(id: string): Promise<LibraryPlaybookVersion[]> {
    const rows = await this.db.selectFrom('playbook_versions').selectAll().where('playbook_id', '=', id).orderBy('version').execute();
    return rows.map(toVersion);
  }

  /**
   * The current versions of the playbooks linked to any of these techniques, or to their parent
   * technique (a link to T1566 answers T1566.001), or to one of their sub-techniques.
   */
  async playbooksForTechniques(ids: string[]): Promise<LibraryPlaybookVersion[]> {
    const wanted = [...new Set(ids.map((t) => t.trim().toUpperCase()).filter((t) => TECHNIQUE_RE.test(t)))];
    if (wanted.length === 0) return [];
    const exact = [...new Set(wanted.flatMap((t) => [t, t.split('.')[0] as string]))];
    const parents = [...new Set(wanted.filter((t) => !t.includes('.')))];
    // One query: the current version of every playbook with a matching link.
    const rows = await this.db
      .selectFrom('playbook_versions as v')
      .innerJoin('playbooks as p', (j) => j.onRef('p.id', '=', 'v.playbook_id').onRef('p.current_version', '=', 'v.version'))
      .selectAll('v')
      .where('v.playbook_id', 'in', (eb) =>
        eb
          .selectFrom('playbook_techniques as t')
          .select('t.playbook_id')
          .where((w) => w.or([w('t.technique_id', 'in', exact), ...parents.map((parent) => w('t.technique_id', 'like', `${parent}.%`))])),
      )
      .execute();
    const out = rows.map(toVersion);
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.playbookId.localeCompare(b.playbookId));
  }
}

/** Library versions in the form the generator takes (`GeneratePlaybookOptions.library`). */
export function asLibraryRefs(versions: LibraryPlaybookVersion[]): LibraryPlaybookRef[] {
  return versions.map((v) => ({ playbook: v.playbook, techniques: v.techniques }));
}

/** Standalone forms of the library API. */
export function savePlaybook(db: Kysely<Database>, input: SavePlaybookInput): Promise<SavePlaybookResult> {
  return new PlaybookLibrary(db).savePlaybook(input);
}
export function listPlaybooks(db: Kysely<Database>): Promise<LibraryPlaybookSummary[]> {
  return new PlaybookLibrary(db).listPlaybooks();
}
export function getPlaybook(db: Kysely<Database>, id: string, version?: number): Promise<LibraryPlaybookVersion | undefined> {
  return new PlaybookLibrary(db).getPlaybook(id, version);
}
export function playbooksForTechniques(db: Kysely<Database>, ids: string[]): Promise<LibraryPlaybookVersion[]> {
  return new PlaybookLibrary(db).playbooksForTechniques(ids);
}
export function proposePlaybookChange(db: Kysely<Database>, playbookId: string, change: ProposePlaybookChange): Promise<SavePlaybookResult> {
  return new PlaybookLibrary(db).proposePlaybookChange(playbookId, change);
}

// -------------------------------------------------------------------------------------------------

function checkedPlaybook(doc: unknown, file: string | undefined): CacaoPlaybook {
  const { errors } = validateCacaoPlaybook(doc);
  if (errors.length > 0) {
    const list = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new InputError(`not a valid CACAO 2.0 playbook (${errors.length} error${errors.length === 1 ? '' : 's'}): ${list}`, {
      ...(file ? { file } : {}),
      path: errors[0]?.path ?? '$',
    });
  }
  return doc as CacaoPlaybook;
}

function checkedTechniques(ids: string[], option: string | undefined, file: string | undefined): string[] {
  const out = [...new Set(ids.map((t) => t.trim().toUpperCase()).filter((t) => t !== ''))].sort();
  const bad = out.filter((t) => !TECHNIQUE_RE.test(t));
  if (bad.length > 0) {
    const what = option ?? 'the external references';
    throw new InputError(`${what}: not ATT&CK technique IDs (T1234 or T1234.001): ${bad.join(', ')}`, file && !option ? { file } : undefined);
  }
  return out;
}

/** ATT&CK technique IDs in the playbook's and its steps' external references. */
export function techniquesOf(playbook: CacaoPlaybook): string[] {
  const ids = [...attackIdsOf(playbook.external_references), ...Object.values(playbook.workflow).flatMap((s) => attackIdsOf(s.external_references))];
  return [...new Set(ids.filter((id) => TECHNIQUE_RE.test(id)))].sort();
}

/** SHA-256 of the canonical JSON of the playbook without `modified`, and the sorted links. */
export function contentHash(playbook: CacaoPlaybook, techniques: string[]): string {
  const { modified: _modified, ...content } = playbook;
  void _modified;
  return createHash('sha256').update(canonicalJson({ content, techniques: [...techniques].sort() })).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A primary-key clash: another writer stored the same playbook or version first (SQLite, PostgreSQL). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

async function assertIncident(trx: Tx, incidentId: string): Promise<void> {
  const row = await trx.selectFrom('incidents').select('id').where('id', '=', incidentId).executeTakeFirst();
  if (!row) throw new NotFoundError(`no incident ${incidentId} in the store`);
}

async function assertFindingOf(trx: Tx, findingId: string, incidentId: string): Promise<void> {
  const row = await trx.selectFrom('review_findings').select(['id', 'incident_id']).where('id', '=', findingId).executeTakeFirst();
  if (!row) throw new NotFoundError(`no review finding ${findingId}`);
  if (row.incident_id !== incidentId) throw new UsageError(`finding ${findingId} belongs to incident ${row.incident_id}, not ${incidentId}`);
}

function toVersion(r: PlaybookVersionsTable): LibraryPlaybookVersion {
  const playbook = JSON.parse(r.cacao) as CacaoPlaybook;
  return {
    playbookId: r.playbook_id,
    version: Number(r.version),
    name: playbook.name,
    playbook,
    techniques: JSON.parse(r.techniques) as string[],
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    drivenByIncidentId: r.driven_by_incident_id,
    drivenByFindingId: r.driven_by_finding_id,
  };
}
