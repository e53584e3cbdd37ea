import type { Kysely, Selectable } from 'kysely';
import type { TimelineAnnotation } from '../../model/review.js';
import { compiledRead } from '../compiled-read.js';
import type { Database, ReviewTimelineAnnotationsTable } from '../database.js';
import { fromFlag, parseJsonText, toFlag, toJsonText } from '../json-text.js';
import { recordChanges } from './changes.js';
import { checkVersion, conflictError, guardedUpdate, type ReviewWriteStamp } from './guard.js';

const CONTENT_FIELDS = ['phase', 'keyMoment', 'hidden', 'hiddenReason', 'note', 'evidence'] as const satisfies readonly (keyof TimelineAnnotation)[];

/** The annotations of the events derived from the incident's data. */
const annotationsOf = compiledRead((db, incidentId: string) => db.selectFrom('reviewTimelineAnnotations').selectAll().where('incidentId', '=', incidentId), ['']);

export async function listAnnotations(db: Kysely<Database>, incidentId: string): Promise<TimelineAnnotation[]> {
  const rows = await annotationsOf(db, incidentId);
  return rows.map(toAnnotation);
}

export async function getAnnotation(db: Kysely<Database>, incidentId: string, eventId: string): Promise<TimelineAnnotation | undefined> {
  const row = await annotationQuery(db, incidentId, eventId).selectAll().executeTakeFirst();
  return row ? toAnnotation(row) : undefined;
}

/**
 * Writes the first annotation of an event (version 1): each field that differs from `blank` (the
 * event as the data gave it) is one change in the history. Another writer's annotation of the same
 * event, written meanwhile, is a conflict.
 */
export async function insertAnnotation(db: Kysely<Database>, blank: TimelineAnnotation, next: TimelineAnnotation, write: ReviewWriteStamp): Promise<TimelineAnnotation> {
  const label = `the annotation of event ${next.eventId}`;
  checkVersion(label, { version: 0, updatedBy: null, updatedAt: null }, write.expectedVersion);
  const inserted = await db
    .insertInto('reviewTimelineAnnotations')
    .values({ incidentId: next.incidentId, eventId: next.eventId, ...annotationRow(next), version: 1, updatedBy: write.actor, updatedAt: write.at })
    .onConflict((oc) => oc.columns(['incidentId', 'eventId']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
    const other = await readStamp(db, next.incidentId, next.eventId);
    throw conflictError(label, 0, other?.version ?? 0, other?.updatedBy ?? null, other?.updatedAt ?? null);
  }
  const changed = CONTENT_FIELDS.filter((field) => JSON.stringify(blank[field]) !== JSON.stringify(next[field]));
  await recordChanges(
    db,
    changed.map((field) => ({ incidentId: next.incidentId, entityType: 'timeline-annotation', entityId: next.eventId, field, before: blank[field], after: next[field], actor: write.actor, at: write.at, version: 1 })),
  );
  return { ...next, version: 1, updatedBy: write.actor, updatedAt: write.at };
}

/** Writes the changed fields of an annotation, guarded by its version. */
export function updateAnnotation(db: Kysely<Database>, current: TimelineAnnotation, next: TimelineAnnotation, write: ReviewWriteStamp): Promise<TimelineAnnotation> {
  const { incidentId, eventId } = current;
  return guardedUpdate(
    db,
    {
      label: `the annotation of event ${eventId}`,
      incidentId,
      entityType: 'timeline-annotation',
      entityId: eventId,
      current,
      next,
      fields: CONTENT_FIELDS,
      update: async (a, stamp, basedOn) =>
        (
          await db
            .updateTable('reviewTimelineAnnotations')
            .set({ ...annotationRow(a), ...stamp })
            .where('incidentId', '=', incidentId)
            .where('eventId', '=', eventId)
            .where('version', '=', basedOn)
            .executeTakeFirst()
        ).numUpdatedRows,
      readStamp: () => readStamp(db, incidentId, eventId),
    },
    write,
  );
}

function annotationQuery(db: Kysely<Database>, incidentId: string, eventId: string) {
  return db.selectFrom('reviewTimelineAnnotations').where('incidentId', '=', incidentId).where('eventId', '=', eventId);
}

function readStamp(db: Kysely<Database>, incidentId: string, eventId: string) {
  return annotationQuery(db, incidentId, eventId).select(['version', 'updatedBy', 'updatedAt']).executeTakeFirst();
}

function annotationRow(a: TimelineAnnotation) {
  return { phase: a.phase, keyMoment: a.keyMoment === null ? null : toFlag(a.keyMoment), hidden: toFlag(a.hidden), hiddenReason: a.hiddenReason, note: a.note, evidence: toJsonText(a.evidence) };
}

function toAnnotation(row: Selectable<ReviewTimelineAnnotationsTable>): TimelineAnnotation {
  return { ...row, keyMoment: row.keyMoment === null ? null : fromFlag(row.keyMoment), hidden: fromFlag(row.hidden), evidence: parseJsonText(row.evidence) };
}
