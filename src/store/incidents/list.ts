import { sql, type Kysely } from 'kysely';
import { UsageError } from '../../model/errors.js';
import { compiledRead } from '../compiled-read.js';
import type { Database } from '../database.js';
import { isPostgres } from '../dialect.js';
import { ftsQuery, matchesText, searchTerms } from './search.js';

/**
 * An incident in a list: the command line's `hindsight incidents` and the API's incident list give
 * this one shape, and differ only in the one field each includes (`Extra`).
 */
export type IncidentListItem<Extra extends ListExtra = never> = ListedIncident & Pick<ListExtras, Extra>;

interface ListedIncident {
  id: string;
  source: string;
  sourceId: string;
  title: string;
  severity: string;
  status: string;
  classification: string | null;
  createdAt: string;
  updatedAt: string;
  alertCount: number;
}

/** The fields only one list gives. */
interface ListExtras {
  /** In the command line's list. */
  determination: string | null;
  /** In the API's list: the review state, `not-required` when the policy never looked at the incident. */
  reviewState: string;
}
export type ListExtra = keyof ListExtras;

/** An incident's review state; `not-required` when the policy never looked at it. */
const reviewState = sql<string>`coalesce((select r.state from reviews r where r.incident_id = i.id), 'not-required')`;

/**
 * THE incident list query: the columns of each incident `i` (and the extra field asked for), its
 * number of alerts, newest first. Callers narrow it to the incidents they list.
 */
function listQuery(db: Kysely<Database>, extra: ListExtra) {
  return db
    .selectFrom('incidents as i')
    .select((eb) => [
      'i.id',
      'i.source',
      'i.sourceId',
      'i.title',
      'i.severity',
      'i.status',
      'i.classification',
      'i.createdAt',
      'i.updatedAt',
      eb
        .selectFrom('alerts as al')
        .select((e) => e.fn.countAll<string | number>().as('n'))
        .whereRef('al.incidentId', '=', 'i.id')
        .as('alertCount'),
    ])
    .$if(extra === 'determination', (qb) => qb.select('i.determination'))
    .$if(extra === 'reviewState', (qb) => qb.select(reviewState.as('reviewState')))
    .orderBy('i.createdAt', 'desc')
    .orderBy('i.id');
}

type ListRow = Awaited<ReturnType<ReturnType<typeof listQuery>['execute']>>[number];

/** THE row shape of a list, the extra field in its place. */
function listItem<E extends ListExtra>(r: ListRow, extra: E): IncidentListItem<E> {
  const item = {
    id: r.id,
    source: r.source,
    sourceId: r.sourceId,
    title: r.title,
    severity: r.severity,
    status: r.status,
    classification: r.classification,
    ...(extra === 'determination' ? { determination: r.determination ?? null } : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(extra === 'reviewState' ? { reviewState: r.reviewState ?? 'not-required' } : {}),
    alertCount: Number(r.alertCount ?? 0),
  };
  // The spreads above give exactly the field `extra` names.
  return item as IncidentListItem<E>;
}

export interface IncidentFilter {
  /** Incidents created at or after this ISO time. */
  since?: string;
  limit?: number;
}

/** Stored incidents, newest first, each with its number of alerts (`hindsight incidents`). */
export async function listIncidents(db: Kysely<Database>, filter: IncidentFilter = {}): Promise<IncidentListItem<'determination'>[]> {
  const { since, limit } = filter;
  let query = listQuery(db, 'determination');
  if (since !== undefined) query = query.where('i.createdAt', '>=', normaliseSince(since));
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`limit must be a positive whole number, not ${limit}`);
    query = query.limit(limit);
  }
  return (await query.execute()).map((r) => listItem(r, 'determination'));
}

export function normaliseSince(since: string): string {
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new UsageError(`"since" must be an ISO-8601 date or time, not "${since}"`);
  return new Date(t).toISOString();
}

export interface IncidentQuery {
  status?: string[];
  severity?: string[];
  reviewState?: string[];
  /** Created at or after (ISO). */
  from?: string;
  /** Created before (ISO; a bare date means the end of that day). */
  to?: string;
  /** Words (or the beginnings of words) all found in the title or description, or the incident's id or source id, or an observable value seen in it. */
  q?: string;
  /**
   * Only incidents in which one of these observables (ids) was seen. `q`'s observable ids (the ids its
   * text has as a value of each observable type) go in `qObservables`: a search also finds those incidents.
   */
  observables?: readonly string[];
  qObservables?: readonly string[];
  limit: number;
  offset: number;
}

const unfilteredTotal = compiledRead((db) => db.selectFrom('incidents as i').select((eb) => eb.fn.countAll<string | number>().as('n')), []);
const unfilteredPage = compiledRead(
  (db, limit: number, offset: number) =>
    listQuery(db, 'reviewState').where('i.id', 'in', db.selectFrom('incidents as i').select('i.id').orderBy('i.createdAt', 'desc').orderBy('i.id').limit(limit).offset(offset)),
  [1, 0],
);

/**
 * One page of the incidents a user may see (the API's list), newest first, with the total that
 * match. Filters, review state and access are applied in SQL, so the page costs the same on 10 or
 * 100,000 incidents.
 */
export async function queryIncidents(
  db: Kysely<Database>,
  query: IncidentQuery,
  /** Restricted incidents the user is not named on. */
  hidden: ReadonlySet<string>,
): Promise<{ total: number; incidents: IncidentListItem<'reviewState'>[] }> {
  const q = query.q?.trim() ?? '';
  // The list as it first opens (no filter, nothing hidden): the two reads are compiled once.
  if (!q && !query.observables && !query.status?.length && !query.severity?.length && !query.reviewState?.length && !query.from && !query.to && hidden.size === 0) {
    const [count] = await unfilteredTotal(db);
    const rows = await unfilteredPage(db, query.limit, query.offset);
    return { total: Number(count?.n ?? 0), incidents: rows.map((r) => listItem(r, 'reviewState')) };
  }
  const postgres = isPostgres(db);
  const terms = q ? searchTerms(q) : [];
  type Base = ReturnType<typeof incidents>;
  const incidents = () => db.selectFrom('incidents as i');
  /**
   * The incidents that match. `via`: `search` starts from the SQLite full-text index (the matches
   * drive the query, each looked up in the covering index of migration 0008); `id` takes only the
   * incident whose id or source id is q; otherwise all incidents, q matched in the WHERE clause.
   */
  const seenIn = (ids: readonly string[]) => db.selectFrom('observableSightings as os').select('os.incidentId').where('os.observableId', 'in', ids.length ? [...ids] : ['']);
  const qObservables = query.qObservables ?? [];
  const filtered = (via: 'search' | 'id' | 'observable' | 'all' = 'all') => {
    // No join with reviews: a count over many incidents stays an index scan; the review state is a lookup by key.
    let base: Base =
      via === 'search'
        ? (db
            .selectFrom('incidentSearch as s')
            .innerJoin('incidentSearchKeys as k', 'k.docid', 's.rowid')
            .innerJoin('incidents as i', 'i.id', 'k.incidentId')
            .where(sql<boolean>`incident_search match ${ftsQuery(terms)}`) as unknown as Base)
        : incidents();
    if (via === 'id') base = base.where((eb) => eb.or([eb('i.id', '=', q), eb('i.sourceId', '=', q)]));
    if (via === 'observable') base = base.where('i.id', 'in', seenIn(qObservables));
    if (query.observables) base = base.where('i.id', 'in', seenIn(query.observables));
    if (query.status?.length) base = base.where('i.status', 'in', query.status);
    if (query.severity?.length) base = base.where('i.severity', 'in', query.severity);
    if (query.reviewState?.length) base = base.where(sql<boolean>`${reviewState} in (${sql.join(query.reviewState)})`);
    if (query.from) base = base.where('i.createdAt', '>=', query.from);
    if (query.to) base = base.where('i.createdAt', '<', /^\d{4}-\d{2}-\d{2}$/.test(query.to) ? new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000).toISOString() : query.to);
    if (via === 'all' && q) base = base.where((eb) => eb.or([eb('i.id', '=', q), eb('i.sourceId', '=', q), ...(terms.length ? [matchesText(postgres, terms)] : []), ...(qObservables.length ? [eb('i.id', 'in', seenIn(qObservables))] : [])]));
    if (hidden.size > 0) base = base.where('i.id', 'not in', [...hidden]);
    return base;
  };
  // The page's ids first, then the columns, review state and alert count of those ids only.
  let total: number;
  let page: string[] | ReturnType<typeof filtered>;
  if (terms.length > 0) {
    // A search: the index gives every match, which must be ordered anyway; one pass over them
    // serves both the total and the page. On SQLite the index drives the query, and the incident
    // named by id or source id is added.
    // A search matches hundreds or thousands of incidents: their ids and times are read as the
    // database names them, without a mapped copy of every row (the typed handle's plugin).
    const matchesOf = async (query: ReturnType<typeof filtered>) =>
      (await db.withoutPlugins().executeQuery<{ id: string; created_at: string }>(query.select(['i.id', 'i.createdAt']).compile())).rows;
    const found = postgres
      ? await matchesOf(filtered())
      : [...(await matchesOf(filtered('search'))), ...(await matchesOf(filtered('id'))), ...(qObservables.length ? await matchesOf(filtered('observable')) : [])];
    const matches = [...new Map(found.map((m) => [m.id, m])).values()];
    matches.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    total = matches.length;
    page = matches.slice(query.offset, query.offset + query.limit).map((m) => m.id);
    if (page.length === 0) return { total, incidents: [] };
  } else {
    // Newest first along the created_at index; the count stays an index scan.
    total = Number((await filtered().select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
    page = filtered().select('i.id').orderBy('i.createdAt', 'desc').orderBy('i.id').limit(query.limit).offset(query.offset);
  }
  const rows = await listQuery(db, 'reviewState').where('i.id', 'in', page).execute();
  return { total, incidents: rows.map((r) => listItem(r, 'reviewState')) };
}

/** Which of `values` some stored incident has in `column` (a source's own status or severity, kept as given). */
export async function storedListValues(db: Kysely<Database>, column: 'status' | 'severity', values: readonly string[]): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  const rows = await db.selectFrom('incidents').select(column).distinct().where(column, 'in', [...values]).execute();
  return new Set(rows.map((r) => r[column]));
}
