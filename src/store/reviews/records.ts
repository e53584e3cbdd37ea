import type { Insertable, Kysely } from 'kysely';
import { ConflictError, NotFoundError } from '../../model/errors.js';
import type { ReviewRecord, ReviewState } from '../../model/review.js';
import { compiledRead } from '../compiled-read.js';
import { isPostgres } from '../dialect.js';
import type { Database, ReviewsTable } from '../database.js';
import { recordChanges, type ReviewChangeInput } from './changes.js';
import { conflictError } from './guard.js';

/** The fields of the review record a write may set (the stamps are the store's). */
export type ReviewRecordFields = Partial<Omit<ReviewRecord, 'incidentId' | 'version' | 'updatedBy' | 'updatedAt'>>;

/** A new review record: its state and, when the policy required it, the rules that did. */
export interface NewReviewRecord {
  incidentId: string;
  state: ReviewState;
  requiredBy: string | null;
}

/** 17 columns a row: a chunk stays well under either database's limit on bound parameters. */
const CHUNK = 500;

const recordOf = compiledRead((db, incidentId: string) => db.selectFrom('reviews').selectAll().where('incidentId', '=', incidentId), ['']);

export async function getReviewRecord(db: Kysely<Database>, incidentId: string): Promise<ReviewRecord | undefined> {
  return (await recordOf(db, incidentId))[0];
}

/**
 * The review record, locked for the rest of the transaction on PostgreSQL (`for update`): a writer
 * about to change it waits for another one doing so and then reads what that one committed, instead
 * of failing on the version it read before. SQLite transactions hold the write lock from BEGIN.
 */
export async function getReviewRecordForUpdate(db: Kysely<Database>, incidentId: string): Promise<ReviewRecord | undefined> {
  if (!isPostgres(db)) return getReviewRecord(db, incidentId);
  return db.selectFrom('reviews').selectAll().where('incidentId', '=', incidentId).forUpdate().executeTakeFirst();
}

/** The review record an incident without one has: not required, version 0. */
export function emptyReviewRecord(incidentId: string): ReviewRecord {
  return { ...newRecordRow({ incidentId, state: 'not-required', requiredBy: null }, null, null), version: 0 };
}

/** Which of these incidents have a review record. */
export async function incidentsWithReview(db: Kysely<Database>, incidentIds: readonly string[]): Promise<Set<string>> {
  if (incidentIds.length === 0) return new Set();
  const rows = await db.selectFrom('reviews').select('incidentId').where('incidentId', 'in', incidentIds).execute();
  return new Set(rows.map((row) => row.incidentId));
}

/**
 * Creates the review record of an incident (version 1) with its history. Refused when the
 * incident does not exist, and as a conflict when another writer created the record meanwhile.
 */
export async function insertReviewRecord(db: Kysely<Database>, record: NewReviewRecord, stamp: { actor: string; at: string }): Promise<ReviewRecord> {
  const incident = await db.selectFrom('incidents').select('id').where('id', '=', record.incidentId).executeTakeFirst();
  if (!incident) throw new NotFoundError(`no incident "${record.incidentId}"`);
  const row = newRecordRow(record, stamp.actor, stamp.at);
  const inserted = await db.insertInto('reviews').values(row).onConflict((oc) => oc.column('incidentId').doNothing()).executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
    const other = await getReviewRecord(db, record.incidentId);
    throw new ConflictError(`the review of ${record.incidentId} was created by ${other?.updatedBy ?? 'another writer'} at ${other?.updatedAt ?? 'the same time'}; try again`);
  }
  await recordChanges(db, creationChanges(record, stamp));
  return row;
}

/**
 * Creates the review records of many incidents that have none, with their history: one multi-row
 * insert per chunk (an import creates thousands at once). A record that exists already fails the
 * insert: nothing of the batch is written.
 */
export async function insertReviewRecords(db: Kysely<Database>, records: readonly NewReviewRecord[], stamp: { actor: string; at: string }): Promise<void> {
  const rows = records.map((record) => newRecordRow(record, stamp.actor, stamp.at));
  for (let i = 0; i < rows.length; i += CHUNK) await db.insertInto('reviews').values(rows.slice(i, i + CHUNK)).execute();
  await recordChanges(db, records.flatMap((record) => creationChanges(record, stamp)));
}

/**
 * Updates the review record `where version = current.version`, records a change per field that
 * differs, and returns the stored record. Zero rows updated: another writer got there first.
 */
export async function updateReviewRecord(db: Kysely<Database>, current: ReviewRecord, fields: ReviewRecordFields, stamp: { actor: string; at: string }): Promise<ReviewRecord> {
  const version = current.version + 1;
  const result = await db
    .updateTable('reviews')
    .set({ ...fields, version, updatedBy: stamp.actor, updatedAt: stamp.at })
    .where('incidentId', '=', current.incidentId)
    .where('version', '=', current.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const now = await getReviewRecord(db, current.incidentId);
    throw conflictError('the review', current.version, now?.version ?? current.version, now?.updatedBy ?? null, now?.updatedAt ?? null);
  }
  const changes: ReviewChangeInput[] = [];
  for (const [field, value] of Object.entries(fields) as [keyof ReviewRecordFields, unknown][]) {
    if (current[field] === value) continue;
    changes.push({ incidentId: current.incidentId, entityType: 'review', entityId: current.incidentId, field, before: current[field], after: value, actor: stamp.actor, at: stamp.at, version });
  }
  await recordChanges(db, changes);
  return db.selectFrom('reviews').selectAll().where('incidentId', '=', current.incidentId).executeTakeFirstOrThrow();
}

function newRecordRow(record: NewReviewRecord, actor: string | null, at: string | null): Insertable<ReviewsTable> & ReviewRecord {
  return {
    incidentId: record.incidentId,
    state: record.state,
    requiredBy: record.requiredBy,
    waiverReason: null,
    submittedBy: null,
    submittedAt: null,
    approvedBy: null,
    approvedAt: null,
    sufficiency: null,
    sufficiencyNotes: null,
    completenessOverride: null,
    closedAt: null,
    closedBy: null,
    closeReason: null,
    version: 1,
    updatedBy: actor,
    updatedAt: at,
  };
}

/** A new record's history: its state, and the rules that required it. */
function creationChanges(record: NewReviewRecord, stamp: { actor: string; at: string }): ReviewChangeInput[] {
  const base = { incidentId: record.incidentId, entityType: 'review' as const, entityId: record.incidentId, before: null, actor: stamp.actor, at: stamp.at, version: 1 };
  const changes: ReviewChangeInput[] = [{ ...base, field: 'state', after: record.state }];
  if (record.requiredBy) changes.push({ ...base, field: 'requiredBy', after: record.requiredBy });
  return changes;
}
