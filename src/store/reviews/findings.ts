import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Finding } from '../../model/review.js';
import { compiledRead } from '../compiled-read.js';
import type { Database, ReviewFindingsTable } from '../database.js';
import { parseJsonText, toJsonText } from '../json-text.js';
import { contentOf, recordChanges } from './changes.js';
import { checkVersion, conflictError, guardedUpdate, type ReviewWriteStamp } from './guard.js';

/** What a person writes about a finding (the rest is stamps). */
export type FindingContent = Pick<Finding, 'category' | 'title' | 'description' | 'severity' | 'contributingFactors' | 'timelineEventIds' | 'techniques' | 'evidence' | 'acceptedRisk'>;

const CONTENT_FIELDS = ['category', 'title', 'description', 'severity', 'contributingFactors', 'timelineEventIds', 'techniques', 'evidence', 'acceptedRisk'] as const satisfies readonly (keyof FindingContent)[];

/** The findings of an incident's review, oldest first. */
const findingsOf = compiledRead((db, incidentId: string) => db.selectFrom('reviewFindings').selectAll().where('incidentId', '=', incidentId).orderBy('createdAt').orderBy('id'), ['']);

export async function listFindings(db: Kysely<Database>, incidentId: string): Promise<Finding[]> {
  const rows = await findingsOf(db, incidentId);
  return rows.map(toFinding);
}

export async function getFinding(db: Kysely<Database>, id: string): Promise<Finding | undefined> {
  const row = await db.selectFrom('reviewFindings').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toFinding(row) : undefined;
}

/** Adds a finding (version 1); its whole content is one change in the history. */
export async function insertFinding(db: Kysely<Database>, incidentId: string, content: FindingContent, write: ReviewWriteStamp): Promise<Finding> {
  const row: Insertable<ReviewFindingsTable> & Selectable<ReviewFindingsTable> = {
    id: `fnd_${randomBytes(6).toString('hex')}`,
    incidentId,
    ...findingRow(content),
    version: 1,
    createdBy: write.actor,
    createdAt: write.at,
    updatedBy: write.actor,
    updatedAt: write.at,
  };
  await db.insertInto('reviewFindings').values(row).execute();
  const finding = toFinding(row);
  await recordChanges(db, [{ incidentId, entityType: 'finding', entityId: row.id, field: '*', before: null, after: contentOf(finding), actor: write.actor, at: write.at, version: 1 }]);
  return finding;
}

/** Writes the changed fields of a finding, guarded by its version. */
export function updateFinding(db: Kysely<Database>, current: Finding, next: Finding, write: ReviewWriteStamp): Promise<Finding> {
  return guardedUpdate(
    db,
    {
      label: `finding ${current.id}`,
      incidentId: current.incidentId,
      entityType: 'finding',
      entityId: current.id,
      current,
      next,
      fields: CONTENT_FIELDS,
      update: async (f, stamp, basedOn) =>
        (await db.updateTable('reviewFindings').set({ ...findingRow(f), ...stamp }).where('id', '=', current.id).where('version', '=', basedOn).executeTakeFirst()).numUpdatedRows,
      readStamp: () => db.selectFrom('reviewFindings').select(['version', 'updatedBy', 'updatedAt']).where('id', '=', current.id).executeTakeFirst(),
    },
    write,
  );
}

function findingRow(f: FindingContent) {
  return {
    category: f.category,
    title: f.title,
    description: f.description,
    severity: f.severity,
    contributingFactors: toJsonText(f.contributingFactors),
    timelineEventIds: toJsonText(f.timelineEventIds),
    techniques: toJsonText(f.techniques),
    evidence: toJsonText(f.evidence),
    acceptedRisk: f.acceptedRisk,
  };
}

function toFinding(row: Selectable<ReviewFindingsTable>): Finding {
  return {
    ...row,
    contributingFactors: parseJsonText(row.contributingFactors),
    timelineEventIds: parseJsonText(row.timelineEventIds),
    techniques: parseJsonText(row.techniques),
    evidence: parseJsonText(row.evidence),
  };
}

/** Deletes a finding still at its version; the deletion is one change in the history. */
export async function deleteFinding(db: Kysely<Database>, current: Finding, write: ReviewWriteStamp): Promise<void> {
  const label = `finding ${current.id}`;
  checkVersion(label, current, write.expectedVersion);
  const deleted = await db.deleteFrom('reviewFindings').where('id', '=', current.id).where('version', '=', current.version).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) {
    const other = await db.selectFrom('reviewFindings').select(['version', 'updatedBy', 'updatedAt']).where('id', '=', current.id).executeTakeFirst();
    throw conflictError(label, current.version, other?.version ?? current.version, other?.updatedBy ?? null, other?.updatedAt ?? null);
  }
  await recordChanges(db, [{ incidentId: current.incidentId, entityType: 'finding', entityId: current.id, field: '*', before: contentOf(current), after: null, actor: write.actor, at: write.at, version: current.version + 1 }]);
}
