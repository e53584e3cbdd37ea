import type { Kysely } from 'kysely';
import { ConflictError } from '../../model/errors.js';
import type { ReviewEntityType } from '../../model/review.js';
import type { Database } from '../database.js';
import { recordChanges } from './changes.js';

/**
 * Optimistic concurrency for the review's rows: every editable row carries a `version`; a write
 * names the version it was based on (or the one it read), updates `where version = current`, and
 * records one change per field. Of two writers who read the same version, the second is refused
 * with a conflict naming who changed it and when, and nothing is lost.
 */

/** Who writes, when, and the version the writer based the change on (none: the one just read). */
export interface ReviewWriteStamp {
  actor: string;
  /** ISO time of the write. */
  at: string;
  expectedVersion?: number;
}

/** The version and last writer of a stored row. */
export interface VersionStamp {
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export function conflictError(label: string, basedOn: number, now: number, by: string | null, at: string | null): ConflictError {
  return new ConflictError(
    `${label} was changed by ${by ?? 'another writer'}${at ? ` at ${at}` : ''} since version ${basedOn} (it is now version ${now}); nothing was written: reload it and apply your change again`,
  );
}

/** Refuses a write based on another version than the stored one. */
export function checkVersion(label: string, current: VersionStamp, expected: number | undefined): void {
  if (expected === undefined || expected === current.version) return;
  throw conflictError(label, expected, current.version, current.updatedBy, current.updatedAt);
}

/** What a guarded update changes: one stored entity of the review, before and after. */
export interface GuardedUpdate<T extends VersionStamp> {
  /** How a conflict names it, e.g. `finding fnd_…`. */
  label: string;
  incidentId: string;
  entityType: ReviewEntityType;
  entityId: string;
  current: T;
  next: T;
  /** The fields compared and recorded. */
  fields: readonly (keyof T & string)[];
  /** Writes `next` with the new stamp where the row is still at `basedOn`; returns the rows updated. */
  update: (next: T, stamp: { version: number; updatedBy: string; updatedAt: string }, basedOn: number) => Promise<bigint>;
  /** Reads the stored stamp after a refused update, for the conflict message. */
  readStamp: () => Promise<VersionStamp | undefined>;
}

/**
 * Updates one row `where version = current.version`, records one change per changed field, and
 * returns the new state. Nothing changed: nothing written, the current state back. Zero rows
 * updated means another writer got there first: a conflict.
 */
export async function guardedUpdate<T extends VersionStamp>(db: Kysely<Database>, spec: GuardedUpdate<T>, write: ReviewWriteStamp): Promise<T> {
  const { current, next } = spec;
  checkVersion(spec.label, current, write.expectedVersion);
  const changed = spec.fields.filter((field) => JSON.stringify(current[field]) !== JSON.stringify(next[field]));
  if (changed.length === 0) return current;
  const version = current.version + 1;
  const updated = await spec.update(next, { version, updatedBy: write.actor, updatedAt: write.at }, current.version);
  if (Number(updated) === 0) {
    const other = await spec.readStamp();
    throw conflictError(spec.label, current.version, other?.version ?? current.version, other?.updatedBy ?? null, other?.updatedAt ?? null);
  }
  await recordChanges(
    db,
    changed.map((field) => ({ incidentId: spec.incidentId, entityType: spec.entityType, entityId: spec.entityId, field, before: current[field], after: next[field], actor: write.actor, at: write.at, version })),
  );
  return { ...next, version, updatedBy: write.actor, updatedAt: write.at };
}
