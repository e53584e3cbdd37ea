import { InputError, NotFoundError, UsageError } from '../model/errors.js';
import type { CacaoPlaybook } from '../playbooks/cacao.js';
import {
  checkedPlaybook,
  checkedTechniques,
  contentHash,
  techniquesOf,
  versionAuditSummary,
  type LibraryPlaybookVersion,
  type ProposePlaybookChange,
  type SavePlaybookInput,
  type SavePlaybookResult,
} from '../playbooks/library.js';
import type { OpenedStore } from '../store/index.js';
import {
  currentVersionOf,
  currentVersionsLinkedTo,
  incidentExists,
  incidentOfFinding,
  listPlaybooks as listStoredPlaybooks,
  playbookVersion,
  playbookVersions,
  storePlaybookVersion,
  type LibraryPlaybookSummary,
  type PlaybookVersionRecord,
} from '../store/playbooks/library.js';
import { appendAudit, type AuditedOperation } from './audit.js';

/**
 * The playbook library's use cases (playbooks/library.ts describes the library): add a playbook or
 * a new version of one, propose a change from an incident's review, and the reads. A write that
 * creates a version records its audit entry (`playbook.add` or `playbook.propose`) in the same
 * transaction, with a summary of the version before and after; an unchanged playbook writes nothing
 * and records nothing.
 */

export type { LibraryPlaybookSummary } from '../store/playbooks/library.js';

function toVersion(r: PlaybookVersionRecord): LibraryPlaybookVersion {
  // The document was validated as CACAO 2.0 before it was written.
  const playbook = JSON.parse(r.cacao) as CacaoPlaybook;
  return {
    playbookId: r.playbookId,
    version: r.version,
    name: playbook.name,
    playbook,
    techniques: r.techniques,
    reason: r.reason,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    drivenByIncidentId: r.drivenByIncidentId,
    drivenByFindingId: r.drivenByFindingId,
  };
}

/**
 * Stores a playbook: a new playbook, a new version of it, or nothing when its content and links are
 * those of the current version. `actor` is who the audit trail names; `input.author` is recorded in
 * the version itself.
 */
export function savePlaybook(store: OpenedStore, actor: string, input: SavePlaybookInput): Promise<SavePlaybookResult> {
  return store.transaction((tx) => saveAudited(tx, actor, 'playbook.add', input));
}

/**
 * A change to a library playbook proposed from a post-incident review: validated, stored as the
 * next version with the incident (and finding) that drove it.
 */
export function proposePlaybookChange(store: OpenedStore, actor: string, playbookId: string, change: ProposePlaybookChange): Promise<SavePlaybookResult> {
  return store.transaction(async (tx) => {
    if ((await currentVersionOf(tx.db, playbookId)) === undefined) throw new NotFoundError(`no playbook ${playbookId} in the library (add it first: hindsight playbook library add FILE)`);
    const doc = change.playbook;
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'id' in doc && doc.id !== playbookId) {
      throw new InputError(`the proposed playbook's id ${JSON.stringify(doc.id)} is not ${playbookId}`, { ...(change.file ? { file: change.file } : {}), path: '$.id' });
    }
    if (!change.reason.trim()) throw new UsageError('a proposed change needs a reason');
    return saveAudited(tx, actor, 'playbook.propose', {
      playbook: doc,
      reason: change.reason,
      author: change.author,
      incidentId: change.incidentId,
      ...(change.findingId !== undefined ? { findingId: change.findingId } : {}),
      ...(change.techniques !== undefined ? { techniques: change.techniques } : {}),
      ...(change.file !== undefined ? { file: change.file } : {}),
    });
  });
}

/** The save inside `tx`, and its audit entry when it created a version. */
async function saveAudited(tx: OpenedStore, actor: string, operation: AuditedOperation, input: SavePlaybookInput): Promise<SavePlaybookResult> {
  const { playbook, warnings } = checkedPlaybook(input.playbook, input.file);
  const techniques = checkedTechniques(input.techniques ?? techniquesOf(playbook), input.techniques ? '--techniques' : undefined, input.file);
  const author = input.author.trim();
  if (!author) throw new UsageError('a playbook version needs an author');
  if (input.incidentId !== undefined && !(await incidentExists(tx.db, input.incidentId))) throw new NotFoundError(`no incident ${input.incidentId} in the store`);
  if (input.findingId !== undefined) {
    if (input.incidentId === undefined) throw new UsageError('a finding can only drive a change together with its incident');
    const owner = await incidentOfFinding(tx.db, input.findingId);
    if (owner === undefined) throw new NotFoundError(`no review finding ${input.findingId}`);
    if (owner !== input.incidentId) throw new UsageError(`finding ${input.findingId} belongs to incident ${owner}, not ${input.incidentId}`);
  }
  const hash = contentHash(playbook, techniques);
  const current = await playbookVersion(tx.db, playbook.id);
  if (current?.contentHash === hash) return { created: false, version: toVersion(current), warnings };

  const record: PlaybookVersionRecord = {
    playbookId: playbook.id,
    version: current ? current.version + 1 : 1,
    cacao: JSON.stringify(playbook),
    contentHash: hash,
    techniques,
    reason: input.reason?.trim() || null,
    createdBy: author,
    createdAt: new Date().toISOString(),
    drivenByIncidentId: input.incidentId ?? null,
    drivenByFindingId: input.findingId ?? null,
  };
  await storePlaybookVersion(tx.db, { ...record, name: playbook.name }, current ? current.version : null);
  const version = toVersion(record);
  await appendAudit(tx, { actor, operation }, { entityId: version.playbookId, before: current ? versionAuditSummary(toVersion(current)) : null, after: versionAuditSummary(version) });
  return { created: true, version, warnings };
}

/** Every playbook in the library, with its current version and techniques, by name. */
export function listPlaybooks(store: OpenedStore): Promise<LibraryPlaybookSummary[]> {
  return listStoredPlaybooks(store.db);
}

/** A version of a playbook (default: the current one), or undefined. */
export async function getPlaybook(store: OpenedStore, id: string, version?: number): Promise<LibraryPlaybookVersion | undefined> {
  const record = await playbookVersion(store.db, id, version);
  return record ? toVersion(record) : undefined;
}

/** Every version of a playbook, oldest first; empty when there is no such playbook. */
export async function playbookHistory(store: OpenedStore, id: string): Promise<LibraryPlaybookVersion[]> {
  return (await playbookVersions(store.db, id)).map(toVersion);
}

/**
 * The current versions of the playbooks linked to any of these techniques, or to their parent
 * technique (a link to T1566 answers T1566.001), or to one of their sub-techniques.
 */
export async function playbooksForTechniques(store: OpenedStore, techniqueIds: readonly string[]): Promise<LibraryPlaybookVersion[]> {
  return (await currentVersionsLinkedTo(store.db, techniqueIds)).map(toVersion);
}
