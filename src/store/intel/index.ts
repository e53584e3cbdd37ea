import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { IntelIndicatorsTable, IntelTermsTable } from '../tables/observables.js';

/** Ids per query: well under either dialect's limit on bound parameters. */
const CHUNK = 500;

export interface IndicatorWrite {
  row: IntelIndicatorsTable;
  terms: IntelTermsTable[];
}

/**
 * Stores indicators by id: a new one is inserted, one whose content changed replaces the stored
 * one and its terms, one imported before with the same content is left alone (an idempotent
 * re-import). Runs in the caller's transaction.
 */
export async function upsertIndicators(db: Kysely<Database>, writes: readonly IndicatorWrite[]): Promise<{ created: number; updated: number; unchanged: number }> {
  const counts = { created: 0, updated: 0, unchanged: 0 };
  for (let start = 0; start < writes.length; start += CHUNK) {
    const chunk = writes.slice(start, start + CHUNK);
    const stored = new Map((await db.selectFrom('intelIndicators').select(['id', 'contentHash']).where('id', 'in', chunk.map((w) => w.row.id)).execute()).map((r) => [r.id, r.contentHash]));
    for (const write of chunk) {
      const hash = stored.get(write.row.id);
      if (hash === write.row.contentHash) {
        counts.unchanged++;
        continue;
      }
      if (hash === undefined) {
        await db.insertInto('intelIndicators').values(write.row).execute();
        counts.created++;
      } else {
        const { id: _id, ...changes } = write.row;
        await db.updateTable('intelIndicators').set(changes).where('id', '=', write.row.id).execute();
        await db.deleteFrom('intelTerms').where('indicatorId', '=', write.row.id).execute();
        counts.updated++;
      }
      for (let t = 0; t < write.terms.length; t += CHUNK) await db.insertInto('intelTerms').values(write.terms.slice(t, t + CHUNK)).execute();
      stored.set(write.row.id, write.row.contentHash);
    }
  }
  return counts;
}

export async function indicatorRows(db: Kysely<Database>, ids: readonly string[]): Promise<IntelIndicatorsTable[]> {
  const rows: IntelIndicatorsTable[] = [];
  for (let start = 0; start < ids.length; start += CHUNK) rows.push(...(await db.selectFrom('intelIndicators').selectAll().where('id', 'in', ids.slice(start, start + CHUNK)).execute()));
  return rows;
}

export interface IndicatorFilter {
  evaluation?: IntelIndicatorsTable['evaluation'];
  limit: number;
  offset: number;
}

export async function listIndicatorRows(db: Kysely<Database>, filter: IndicatorFilter): Promise<{ total: number; rows: IntelIndicatorsTable[] }> {
  let q = db.selectFrom('intelIndicators');
  if (filter.evaluation) q = q.where('evaluation', '=', filter.evaluation);
  const total = Number((await q.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await q.selectAll().orderBy('importedAt', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return { total, rows };
}

/** A term of an indicator seen in an alert (or, added by hand, in an incident). */
export interface TermMatch {
  indicatorId: string;
  clause: number;
  term: number;
  clauseSize: number;
  incidentId: string;
  alertId: string | null;
}

/**
 * Every term of the indicators (all stored ones when `indicatorIds` is undefined) whose observable
 * was seen in an incident not in `hidden`: one join of terms and sightings by observable id, so an
 * incident imported after the indicator is matched with no work at its import.
 */
export async function termMatches(db: Kysely<Database>, indicatorIds: readonly string[] | undefined, hidden: ReadonlySet<string>): Promise<TermMatch[]> {
  const run = async (ids: readonly string[] | undefined) => {
    let q = db
      .selectFrom('intelTerms as t')
      .innerJoin('observableSightings as s', 's.observableId', 't.observableId')
      .select(['t.indicatorId', 't.clause', 't.term', 't.clauseSize', 's.incidentId', 's.alertId']);
    if (ids) q = q.where('t.indicatorId', 'in', [...ids]);
    if (hidden.size > 0) q = q.where('s.incidentId', 'not in', [...hidden]);
    return (await q.execute()).map((r) => ({ ...r, clause: Number(r.clause), term: Number(r.term), clauseSize: Number(r.clauseSize) }));
  };
  if (indicatorIds === undefined) return run(undefined);
  const out: TermMatch[] = [];
  for (let start = 0; start < indicatorIds.length; start += CHUNK) out.push(...(await run(indicatorIds.slice(start, start + CHUNK))));
  return out;
}
