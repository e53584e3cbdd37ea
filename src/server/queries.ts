import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.js';
import type { AuthTables } from '../auth/schema.js';
import type { ReviewTables } from '../review/repo-schema.js';

/** The SQLite full-text index of migration 0008 (an FTS5 table and its keys). */
type SearchTables = {
  incident_search: { rowid: number; title: string; description: string };
  incident_search_keys: { docid: number; incident_id: string };
};
type DB = Database & AuthTables & ReviewTables & SearchTables;

/** An incident's review state; `not-required` when the policy never looked at it. */
const reviewState = sql<string>`coalesce((select r.state from reviews r where r.incident_id = i.id), 'not-required')`;

export interface IncidentQuery {
  status?: string[];
  severity?: string[];
  reviewState?: string[];
  /** Created at or after (ISO). */
  from?: string;
  /** Created before (ISO; a bare date means the end of that day). */
  to?: string;
  /** Words (or the beginnings of words) all found in the title or description, or the incident's id or source id. */
  q?: string;
  limit: number;
  offset: number;
}

export interface IncidentRow {
  id: string;
  source: string;
  sourceId: string;
  title: string;
  severity: string;
  status: string;
  classification: string | null;
  createdAt: string;
  updatedAt: string;
  reviewState: string;
  alertCount: number;
}

/**
 * One page of the incidents the user may see, newest first, with the total that match. Filters,
 * review state and access are applied in SQL, so the page costs the same on 10 or 100,000 incidents.
 */
export async function queryIncidents(
  db: Kysely<Database>,
  query: IncidentQuery,
  /** Restricted incidents the user is not named on (see AuthStore.hiddenIncidents). */
  hidden: ReadonlySet<string>,
): Promise<{ total: number; incidents: IncidentRow[] }> {
  const d = db.withTables<AuthTables & ReviewTables & SearchTables>() as unknown as Kysely<DB>;
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const q = query.q?.trim() ?? '';
  const terms = q ? searchTerms(q) : [];
  type Base = ReturnType<typeof incidents>;
  const incidents = () => d.selectFrom('incidents as i');
  /**
   * The incidents that match. `via`: `search` starts from the SQLite full-text index (the matches
   * drive the query, each looked up in the covering index of migration 0008); `id` takes only the
   * incident whose id or source id is q; otherwise all incidents, q matched in the WHERE clause.
   */
  const filtered = (via: 'search' | 'id' | 'all' = 'all') => {
    // No join with reviews: a count over many incidents stays an index scan; the review state is a lookup by key.
    let base: Base =
      via === 'search'
        ? (d
            .selectFrom('incident_search as s')
            .innerJoin('incident_search_keys as k', 'k.docid', 's.rowid')
            .innerJoin('incidents as i', 'i.id', 'k.incident_id')
            .where(sql<boolean>`incident_search match ${terms.map((t) => `"${t}"*`).join(' ')}`) as unknown as Base)
        : incidents();
    if (via === 'id') base = base.where((eb) => eb.or([eb('i.id', '=', q), eb('i.source_id', '=', q)]));
    if (query.status?.length) base = base.where('i.status', 'in', query.status);
    if (query.severity?.length) base = base.where('i.severity', 'in', query.severity);
    if (query.reviewState?.length) base = base.where(sql<boolean>`${reviewState} in (${sql.join(query.reviewState)})`);
    if (query.from) base = base.where('i.created_at', '>=', query.from);
    if (query.to) base = base.where('i.created_at', '<', /^\d{4}-\d{2}-\d{2}$/.test(query.to) ? new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000).toISOString() : query.to);
    if (via === 'all' && q) base = base.where((eb) => eb.or([eb('i.id', '=', q), eb('i.source_id', '=', q), ...(terms.length ? [matchesText(postgres, terms)] : [])]));
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
    const found = postgres
      ? await filtered().select(['i.id', 'i.created_at']).execute()
      : [...(await filtered('search').select(['i.id', 'i.created_at']).execute()), ...(await filtered('id').select(['i.id', 'i.created_at']).execute())];
    const matches = [...new Map(found.map((m) => [m.id, m])).values()];
    matches.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    total = matches.length;
    page = matches.slice(query.offset, query.offset + query.limit).map((m) => m.id);
    if (page.length === 0) return { total, incidents: [] };
  } else {
    // Newest first along the created_at index; the count stays an index scan.
    total = Number((await filtered().select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
    page = filtered().select('i.id').orderBy('i.created_at', 'desc').orderBy('i.id').limit(query.limit).offset(query.offset);
  }
  const rows = await d
    .selectFrom('incidents as i')
    .where('i.id', 'in', page)
    .select([
      'i.id',
      'i.source',
      'i.source_id',
      'i.title',
      'i.severity',
      'i.status',
      'i.classification',
      'i.created_at',
      'i.updated_at',
      reviewState.as('review_state'),
      (eb) => eb.selectFrom('alerts as al').select((e) => e.fn.countAll<string | number>().as('c')).whereRef('al.incident_id', '=', 'i.id').as('alert_count'),
    ])
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id')
    .execute();
  return {
    total,
    incidents: rows.map((r) => ({
      id: r.id,
      source: r.source,
      sourceId: r.source_id,
      title: r.title,
      severity: r.severity,
      status: r.status,
      classification: r.classification,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      reviewState: r.review_state ?? 'not-required',
      alertCount: Number(r.alert_count ?? 0),
    })),
  };
}

/** Hindsight's id of the incident a reference names (its id, or the source's own id), without loading it. */
export async function resolveIncidentRef(db: Kysely<Database>, ref: string): Promise<string | undefined> {
  const byId = await db.selectFrom('incidents').select('id').where('id', '=', ref).executeTakeFirst();
  if (byId) return byId.id;
  const bySource = await db.selectFrom('incidents').select('id').where('source_id', '=', ref).orderBy('partial', 'asc').orderBy('created_at', 'asc').orderBy('id', 'asc').executeTakeFirst();
  return bySource?.id;
}

/** Alerts and incidents per technique ID across the incidents the user may see. */
export async function visibleTechniqueCounts(db: Kysely<Database>, hidden: ReadonlySet<string>): Promise<{ techniqueId: string; alerts: number; incidents: number }[]> {
  let query = db
    .selectFrom('alert_techniques')
    .select(['technique_id', sql<number>`count(distinct alert_id)`.as('alerts'), sql<number>`count(distinct incident_id)`.as('incidents')])
    .groupBy('technique_id')
    .orderBy('alerts', 'desc')
    .orderBy('technique_id', 'asc');
  if (hidden.size > 0) query = query.where('incident_id', 'not in', [...hidden]);
  const rows = await query.execute();
  return rows.map((r) => ({ techniqueId: r.technique_id, alerts: Number(r.alerts), incidents: Number(r.incidents) }));
}

/**
 * The words of a search: runs of letters and digits, lower case, at most 8 of at most 64
 * characters. Each must begin a word of the title or description. Only letters and digits reach the
 * full-text query syntax, so no input can change its meaning.
 */
export function searchTerms(q: string): string[] {
  return [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 8).map((t) => t.slice(0, 64));
}

/**
 * Whether incident `i` has every term at the beginning of a word of its title or description, through
 * the full-text index of migration 0008 (FTS5 on SQLite, a GIN expression index on PostgreSQL; the
 * expression here must stay the one indexed).
 */
function matchesText(postgres: boolean, terms: string[]): RawBuilder<boolean> {
  if (postgres) {
    const query = terms.map((t) => `${t}:*`).join(' & ');
    return sql<boolean>`to_tsvector('simple', regexp_replace(coalesce(i.title, '') || ' ' || coalesce(i.description, ''), '[^[:alnum:]]+', ' ', 'g')) @@ to_tsquery('simple', ${query})`;
  }
  // SQLite: searches start from the index (queryIncidents); this form serves other callers.
  const query = terms.map((t) => `"${t}"*`).join(' ');
  return sql<boolean>`i.id in (select k.incident_id from incident_search_keys k where k.docid in (select rowid from incident_search where incident_search match ${query}))`;
}
