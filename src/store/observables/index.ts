import { sql, type Kysely } from 'kysely';
import type { ObservableType, TlpLevel } from '../../model/observables.js';
import type { Database } from '../database.js';
import { parseJsonText, toJsonText, type Flag } from '../json-text.js';
import type { ObservableSightingsTable, ObservablesTable } from '../tables/observables.js';

export { backfillObservables } from './backfill.js';
export { newObservableRow } from './rows.js';

/** An observable as listed: its row and what its sightings in the incidents a reader may see add up to. */
export interface ObservableListRow {
  id: string;
  type: ObservableType;
  value: string;
  ioc: boolean;
  tlp: TlpLevel | null;
  tags: string[];
  origin: ObservablesTable['origin'];
  firstSeen: string | null;
  lastSeen: string | null;
  incidentCount: number;
  sightingCount: number;
  /** The strictest TLP of the incidents it was seen in (an incident without its own marking counts as AMBER). */
  strictestIncidentTlp: TlpLevel;
}

export interface ObservableRowFilter {
  /** Only these observables (a value searched for, as the ids it has under each type it is valid for). */
  ids?: readonly string[];
  type?: ObservableType;
  ioc?: boolean;
  /** Only observables seen in this incident. */
  incidentId?: string;
  /** Part of the value, case-insensitively. */
  contains?: string;
  limit: number;
  offset: number;
}

const TLP_RANK = sql<number>`max(case coalesce(m.tlp, 'AMBER') when 'CLEAR' then 0 when 'GREEN' then 1 when 'AMBER' then 2 when 'AMBER+STRICT' then 3 else 4 end)`;
const RANKED_TLP: TlpLevel[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/**
 * Observables seen in at least one incident the reader may see, most recently seen first, with the
 * total that match. Sightings in `hidden` incidents count for nothing: an observable seen only there
 * is not listed, and no count or date gives those incidents away.
 */
export async function listObservableRows(db: Kysely<Database>, filter: ObservableRowFilter, hidden: ReadonlySet<string>): Promise<{ total: number; rows: ObservableListRow[] }> {
  if (filter.ids && filter.ids.length === 0) return { total: 0, rows: [] };
  const base = () => {
    let q = db.selectFrom('observables as o').innerJoin('observableSightings as s', 's.observableId', 'o.id').leftJoin('incidentMarkings as m', 'm.incidentId', 's.incidentId');
    if (filter.ids) q = q.where('o.id', 'in', [...filter.ids]);
    if (filter.type) q = q.where('o.type', '=', filter.type);
    if (filter.ioc !== undefined) q = q.where('o.ioc', '=', filter.ioc ? 1 : 0);
    if (filter.contains) q = q.where(sql<boolean>`lower(o.value) like ${`%${escapeLike(filter.contains.toLowerCase())}%`} escape '\\'`);
    if (filter.incidentId) q = q.where('o.id', 'in', db.selectFrom('observableSightings as si').select('si.observableId').where('si.incidentId', '=', filter.incidentId));
    if (hidden.size > 0) q = q.where('s.incidentId', 'not in', [...hidden]);
    return q;
  };
  const counted = await base()
    .select((eb) => eb.fn.count<string | number>('o.id').distinct().as('n'))
    .executeTakeFirst();
  const total = Number(counted?.n ?? 0);
  if (total === 0) return { total, rows: [] };
  const rows = await base()
    .select((eb) => [
      'o.id',
      'o.type',
      'o.value',
      'o.ioc',
      'o.tlp',
      'o.tags',
      'o.origin',
      eb.fn.min('s.at').as('firstSeen'),
      eb.fn.max('s.at').as('lastSeen'),
      eb.fn.count<string | number>('s.incidentId').distinct().as('incidentCount'),
      eb.fn.countAll<string | number>().as('sightingCount'),
      TLP_RANK.as('tlpRank'),
    ])
    .groupBy(['o.id', 'o.type', 'o.value', 'o.ioc', 'o.tlp', 'o.tags', 'o.origin'])
    .orderBy('lastSeen', 'desc')
    .orderBy('o.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      type: r.type,
      value: r.value,
      ioc: Number(r.ioc) === 1,
      tlp: r.tlp,
      tags: parseJsonText(r.tags),
      origin: r.origin,
      firstSeen: r.firstSeen ?? null,
      lastSeen: r.lastSeen ?? null,
      incidentCount: Number(r.incidentCount),
      sightingCount: Number(r.sightingCount),
      strictestIncidentTlp: RANKED_TLP[Number(r.tlpRank)] ?? 'RED',
    })),
  };
}

/** The sightings of some observables in the incidents a reader may see, newest first, at most `perObservable` each. */
export async function sightingsOf(db: Kysely<Database>, observableIds: readonly string[], hidden: ReadonlySet<string>, perObservable: number): Promise<Map<string, ObservableSightingsTable[]>> {
  const out = new Map<string, ObservableSightingsTable[]>();
  if (observableIds.length === 0) return out;
  let q = db.selectFrom('observableSightings').selectAll().where('observableId', 'in', [...observableIds]);
  if (hidden.size > 0) q = q.where('incidentId', 'not in', [...hidden]);
  for (const row of await q.orderBy('at', 'desc').orderBy('incidentId').orderBy('alertId').execute()) {
    const list = out.get(row.observableId) ?? [];
    if (list.length < perObservable) list.push(row);
    out.set(row.observableId, list);
  }
  return out;
}

export function getObservableRow(db: Kysely<Database>, id: string): Promise<ObservablesTable | undefined> {
  return db.selectFrom('observables').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts an observable unless it exists; true when it was new. */
export async function insertObservableIfNew(db: Kysely<Database>, row: ObservablesTable): Promise<boolean> {
  const result = await db.insertInto('observables').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Records a sighting unless the same (observable, incident, alert) is recorded; true when it was new. */
export async function insertSightingIfNew(db: Kysely<Database>, row: ObservableSightingsTable): Promise<boolean> {
  const result = await db.insertInto('observableSightings').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function updateObservableMarks(db: Kysely<Database>, id: string, marks: { ioc: boolean; tlp: TlpLevel | null; tags: string[] }, by: string, at: string): Promise<void> {
  const ioc: Flag = marks.ioc ? 1 : 0;
  await db.updateTable('observables').set({ ioc, tlp: marks.tlp, tags: toJsonText(marks.tags), updatedBy: by, updatedAt: at }).where('id', '=', id).execute();
}

/** An incident's own TLP marking, or undefined when it has none. */
export async function incidentTlpOf(db: Kysely<Database>, incidentId: string): Promise<TlpLevel | undefined> {
  const row = await db.selectFrom('incidentMarkings').select('tlp').where('incidentId', '=', incidentId).executeTakeFirst();
  return row?.tlp;
}

export async function setIncidentTlpRow(db: Kysely<Database>, incidentId: string, tlp: TlpLevel, by: string, at: string): Promise<void> {
  await db
    .insertInto('incidentMarkings')
    .values({ incidentId, tlp, updatedBy: by, updatedAt: at })
    .onConflict((oc) => oc.column('incidentId').doUpdateSet({ tlp, updatedBy: by, updatedAt: at }))
    .execute();
}

/** `%` and `_` in a searched text match themselves. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
