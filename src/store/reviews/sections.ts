import type { Kysely } from 'kysely';
import { REVIEW_SECTIONS, type ReviewSection, type ReviewSectionKey } from '../../model/review.js';
import { compiledRead } from '../compiled-read.js';
import type { Database } from '../database.js';
import { recordChanges, type ReviewChangeInput } from './changes.js';
import { checkVersion, conflictError, type ReviewWriteStamp } from './guard.js';

/** The review's written sections, in the document's order. */
const sectionsOf = compiledRead((db, incidentId: string) => sectionQuery(db, incidentId), ['']);

export async function listSections(db: Kysely<Database>, incidentId: string): Promise<ReviewSection[]> {
  const rows = await sectionsOf(db, incidentId);
  return rows.sort((a, b) => REVIEW_SECTIONS.indexOf(a.key) - REVIEW_SECTIONS.indexOf(b.key));
}

export async function getSection(db: Kysely<Database>, incidentId: string, key: ReviewSectionKey): Promise<ReviewSection | undefined> {
  return sectionQuery(db, incidentId).where('section', '=', key).executeTakeFirst();
}

/**
 * Writes a section: its first version, or the next one `where version = current`. Version 0 means
 * "not written yet". The body is recorded in the history on every write, the source when it changes.
 */
export async function saveSection(db: Kysely<Database>, incidentId: string, key: ReviewSectionKey, body: string, source: ReviewSection['source'], write: ReviewWriteStamp): Promise<ReviewSection> {
  const current = await getSection(db, incidentId, key);
  const label = `section ${key}`;
  checkVersion(label, current ?? { version: 0, updatedBy: null, updatedAt: null }, write.expectedVersion);
  const version = (current?.version ?? 0) + 1;
  const stamp = { version, updatedBy: write.actor, updatedAt: write.at };
  const written = current
    ? (
        await db
          .updateTable('reviewSections')
          .set({ body, source, ...stamp })
          .where('incidentId', '=', incidentId)
          .where('section', '=', key)
          .where('version', '=', current.version)
          .executeTakeFirst()
      ).numUpdatedRows
    : ((
        await db
          .insertInto('reviewSections')
          .values({ incidentId, section: key, body, source, ...stamp })
          .onConflict((oc) => oc.columns(['incidentId', 'section']).doNothing())
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows ?? 0n);
  if (Number(written) === 0) {
    const other = await getSection(db, incidentId, key);
    throw conflictError(label, current?.version ?? 0, other?.version ?? 0, other?.updatedBy ?? null, other?.updatedAt ?? null);
  }
  const change = { incidentId, entityType: 'section' as const, entityId: key, actor: write.actor, at: write.at, version };
  const changes: ReviewChangeInput[] = [{ ...change, field: 'body', before: current?.body ?? null, after: body }];
  if ((current?.source ?? null) !== source) changes.push({ ...change, field: 'source', before: current?.source ?? null, after: source });
  await recordChanges(db, changes);
  return { key, body, source, ...stamp };
}

function sectionQuery(db: Kysely<Database>, incidentId: string) {
  return db.selectFrom('reviewSections').select(['section as key', 'body', 'source', 'version', 'updatedBy', 'updatedAt']).where('incidentId', '=', incidentId);
}
