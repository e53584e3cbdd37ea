import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ManualTimelineEvent } from '../../model/review.js';
import { compiledRead } from '../compiled-read.js';
import type { Database, ReviewTimelineEventsTable } from '../database.js';
import { fromFlag, parseJsonText, toFlag, toJsonText } from '../json-text.js';
import { contentOf, recordChanges } from './changes.js';
import { checkVersion, conflictError, guardedUpdate, type ReviewWriteStamp } from './guard.js';

/** What a person writes about a hand-written event (the rest is stamps). */
export type TimelineEventContent = Pick<ManualTimelineEvent, 'at' | 'title' | 'detail' | 'phase' | 'keyMoment' | 'actor' | 'techniques' | 'evidence'>;

const CONTENT_FIELDS = ['at', 'title', 'detail', 'phase', 'keyMoment', 'actor', 'techniques', 'evidence'] as const satisfies readonly (keyof TimelineEventContent)[];

/** The hand-written events of an incident's timeline, in time order. */
const eventsOf = compiledRead((db, incidentId: string) => db.selectFrom('reviewTimelineEvents').selectAll().where('incidentId', '=', incidentId).orderBy('at').orderBy('id'), ['']);

export async function listTimelineEvents(db: Kysely<Database>, incidentId: string): Promise<ManualTimelineEvent[]> {
  const rows = await eventsOf(db, incidentId);
  return rows.map(toTimelineEvent);
}

export async function getTimelineEvent(db: Kysely<Database>, incidentId: string, eventId: string): Promise<ManualTimelineEvent | undefined> {
  const row = await db.selectFrom('reviewTimelineEvents').selectAll().where('id', '=', eventId).where('incidentId', '=', incidentId).executeTakeFirst();
  return row ? toTimelineEvent(row) : undefined;
}

/** Adds a hand-written event (version 1); its whole content is one change in the history. */
export async function insertTimelineEvent(db: Kysely<Database>, incidentId: string, content: TimelineEventContent, write: ReviewWriteStamp): Promise<ManualTimelineEvent> {
  const row: Insertable<ReviewTimelineEventsTable> & Selectable<ReviewTimelineEventsTable> = {
    id: `tle_${randomBytes(6).toString('hex')}`,
    incidentId,
    at: content.at,
    title: content.title,
    detail: content.detail,
    phase: content.phase,
    keyMoment: toFlag(content.keyMoment),
    actor: content.actor,
    techniques: toJsonText(content.techniques),
    evidence: toJsonText(content.evidence),
    version: 1,
    createdBy: write.actor,
    createdAt: write.at,
    updatedBy: write.actor,
    updatedAt: write.at,
  };
  await db.insertInto('reviewTimelineEvents').values(row).execute();
  const event = toTimelineEvent(row);
  await recordChanges(db, [{ incidentId, entityType: 'timeline-event', entityId: row.id, field: '*', before: null, after: contentOf(event), actor: write.actor, at: write.at, version: 1 }]);
  return event;
}

/** Writes the changed fields of a hand-written event, guarded by its version. */
export function updateTimelineEvent(db: Kysely<Database>, current: ManualTimelineEvent, next: ManualTimelineEvent, write: ReviewWriteStamp): Promise<ManualTimelineEvent> {
  return guardedUpdate(
    db,
    {
      label: `timeline event ${current.id}`,
      incidentId: current.incidentId,
      entityType: 'timeline-event',
      entityId: current.id,
      current,
      next,
      fields: CONTENT_FIELDS,
      update: async (e, stamp, basedOn) =>
        (
          await db
            .updateTable('reviewTimelineEvents')
            .set({ at: e.at, title: e.title, detail: e.detail, phase: e.phase, keyMoment: toFlag(e.keyMoment), actor: e.actor, techniques: toJsonText(e.techniques), evidence: toJsonText(e.evidence), ...stamp })
            .where('id', '=', current.id)
            .where('version', '=', basedOn)
            .executeTakeFirst()
        ).numUpdatedRows,
      readStamp: () => readStamp(db, current.id),
    },
    write,
  );
}

/** Deletes a hand-written event still at its version; the deletion is one change in the history. */
export async function deleteTimelineEvent(db: Kysely<Database>, current: ManualTimelineEvent, write: ReviewWriteStamp): Promise<void> {
  const label = `timeline event ${current.id}`;
  checkVersion(label, current, write.expectedVersion);
  const deleted = await db.deleteFrom('reviewTimelineEvents').where('id', '=', current.id).where('version', '=', current.version).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) {
    const other = await readStamp(db, current.id);
    throw conflictError(label, current.version, other?.version ?? current.version, other?.updatedBy ?? null, other?.updatedAt ?? null);
  }
  await recordChanges(db, [{ incidentId: current.incidentId, entityType: 'timeline-event', entityId: current.id, field: '*', before: contentOf(current), after: null, actor: write.actor, at: write.at, version: current.version + 1 }]);
}

function readStamp(db: Kysely<Database>, eventId: string) {
  return db.selectFrom('reviewTimelineEvents').select(['version', 'updatedBy', 'updatedAt']).where('id', '=', eventId).executeTakeFirst();
}

function toTimelineEvent(row: Selectable<ReviewTimelineEventsTable>): ManualTimelineEvent {
  return { ...row, keyMoment: fromFlag(row.keyMoment), techniques: parseJsonText(row.techniques), evidence: parseJsonText(row.evidence) };
}
