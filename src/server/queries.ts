import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { AuthTables } from '../auth/schema.js';
import type { ReviewTables } from '../review/repo-schema.js';

type DB = Database & AuthTables & ReviewTables;

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
  /** Words in the title, or the incident's id or source id. */
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
  const d = db.withTables<AuthTables & ReviewTables>() as unknown as Kysely<DB>;
  const filtered = () => {
    // No join: a count over many incidents stays an index scan; the review state is a lookup by key.
    let base = d.selectFrom('incidents as i');
    if (query.status?.length) base = base.where('i.status', 'in', query.status);
    if (query.severity?.length) base = base.where('i.severity', 'in', query.severity);
    if (query.reviewState?.length) base = base.where(sql<boolean>`${reviewState} in (${sql.join(query.reviewState)})`);
    if (query.from) base = base.where('i.created_at', '>=', query.from);
    if (query.to) base = base.where('i.created_at', '<', /^\d{4}-\d{2}-\d{2}$/.test(query.to) ? new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000).toISOString() : query.to);
    if (query.q?.trim()) {
      const q = query.q.trim();
      const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where((eb) => eb.or([eb('i.id', '=', q), eb('i.source_id', '=', q), sql<boolean>`lower(i.title) like ${like} escape '\\'`]));
    }
    if (hidden.size > 0) base = base.where('i.id', 'not in', [...hidden]);
    return base;
  };
  const totalRow = await filtered().select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  const rows = await filtered()
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
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return {
    total: Number(totalRow.n),
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
