import { sql, type Kysely, type RawBuilder } from 'kysely';
import { UsageError } from '../model/errors.js';
import type {
  ActionItemFact,
  FindingFact,
  LearningRange,
  ResponseMetric,
  SkillAggregates,
  TrendAggregates,
  TrendBucket,
} from '../model/learning.js';
import type { Database } from './schema.js';
import type { StoreKind } from './types.js';

/**
 * The SQL side of learning across incidents. `refreshLearningFacts` keeps the narrow fact tables of
 * migration 0003 in step with the incidents (rebuilding every incident whose content hash changed);
 * `trendAggregates` and `skillAggregates` scan those tables with GROUP BY and return aggregates
 * (counts and log-scale duration histograms) for the pure analyses. The same SQL runs on SQLite and
 * PostgreSQL; only date arithmetic, ISO weeks and the log-bin expression differ per dialect.
 */

/** Bins per doubling of the duration histograms (see model/learning.ts). */
export const BINS_PER_DOUBLING = 4;

export interface RefreshSummary {
  /** Incidents whose facts were (re)built. */
  incidents: number;
  alerts: number;
}

type AnyDb = Kysely<Database>;

function secondsBetween(kind: StoreKind, from: string, to: string): string {
  return kind === 'sqlite'
    ? `((julianday(${to}) - julianday(${from})) * 86400.0)`
    : `extract(epoch from (cast(${to} as timestamptz) - cast(${from} as timestamptz)))`;
}

function binOfSql(seconds: string): string {
  return `(case when ${seconds} is null then null when ${seconds} < 1 then 0 else cast(floor(ln(${seconds}) / ln(2) * ${BINS_PER_DOUBLING}) as integer) + 1 end)`;
}

function bucketColumns(kind: StoreKind, at: string): string {
  const week =
    kind === 'sqlite' ? `strftime('%G-W%V', ${at})` : `to_char(cast(${at} as timestamptz) at time zone 'UTC', 'IYYY-"W"IW')`;
  return [
    `substr(${at}, 1, 10)`,
    week,
    `substr(${at}, 1, 7)`,
    `substr(${at}, 1, 4) || '-Q' || cast((cast(substr(${at}, 6, 2) as integer) + 2) / 3 as text)`,
  ].join(', ');
}

const SEVERITY_RANK_SQL = (v: string) =>
  `(case ${v} when 'informational' then 1 when 'low' then 2 when 'medium' then 3 when 'high' then 4 when 'critical' then 5 else 0 end)`;

/**
 * Rebuilds the learning facts of every incident that has none or whose content hash changed, and
 * drops those of incidents no longer stored. One transaction; returns how much was rebuilt.
 */
export async function refreshLearningFacts(db: AnyDb, kind: StoreKind): Promise<RefreshSummary> {
  return db.transaction().execute(async (trx) => {
    const run = (text: string) => sql.raw(text).execute(trx);
    await run('drop table if exists lf_pending');
    await run('drop table if exists lf_sc');
    await run(
      `create temp table lf_pending as select i.id as id from incidents i left join learning_incident_facts f on f.incident_id = i.id ` +
        `where f.incident_id is null or f.content_hash <> i.content_hash`,
    );
    const pending = await sql<{ n: number | string }>`select count(*) as n from lf_pending`.execute(trx);
    const incidents = Number(pending.rows[0]?.n ?? 0);
    // Facts of incidents that are gone (a deleted incident cascades; a re-keyed one does not).
    await run('delete from learning_incident_facts where not exists (select 1 from incidents i where i.id = learning_incident_facts.incident_id)');
    if (incidents === 0) {
      await run('drop table lf_pending');
      return { incidents: 0, alerts: 0 };
    }
    await run('create index lf_pending_id on lf_pending (id)');
    for (const table of ['learning_technique_facts', 'learning_alert_facts', 'learning_incident_facts']) {
      await run(`delete from ${table} where incident_id in (select id from lf_pending)`);
    }
    const changeIs = (field: string) => `sc.field = '${field}'`;
    await run(
      `create temp table lf_sc as select sc.alert_id as alert_id, ` +
        `min(case when (${changeIs('status')} and sc.from_value = 'new' and sc.to_value is not null and sc.to_value <> 'new') ` +
        `or (${changeIs('assignedTo')} and sc.to_value is not null) ` +
        `or (${changeIs('classification')} and sc.to_value is not null) then sc.at end) as ack_at, ` +
        `max(case when ${changeIs('classification')} and sc.from_value is not null and sc.from_value <> coalesce(sc.to_value, '') then 1 else 0 end) as misclassified, ` +
        `max(case when ${changeIs('classification')} and sc.from_value in ('falsePositive', 'informationalExpectedActivity') and sc.to_value = 'truePositive' then 1 else 0 end) as benign_then_tp, ` +
        `max(case when ${changeIs('status')} and sc.from_value = 'resolved' and sc.to_value in ('new', 'inProgress', 'active') then 1 else 0 end) as reopened, ` +
        `max(case when (${changeIs('severity')} and ${SEVERITY_RANK_SQL('sc.to_value')} > ${SEVERITY_RANK_SQL('sc.from_value')}) ` +
        `or (${changeIs('assignedTo')} and sc.from_value is not null and sc.to_value is not null and sc.from_value <> sc.to_value) then 1 else 0 end) as escalated ` +
        `from status_changes sc where sc.alert_id is not null and sc.incident_id in (select id from lf_pending) group by sc.alert_id`,
    );
    await run('create index lf_sc_alert on lf_sc (alert_id)');
    const triage = secondsBetween(kind, 'a.created_at', 's.ack_at');
    const resolve = secondsBetween(kind, 'a.created_at', 'a.resolved_at');
    const inserted = await sql.raw(
      `insert into learning_alert_facts (alert_id, incident_id, created_at, day, week, month, quarter, severity, classification, determination, product, assigned_to, ` +
        `triage_bin, resolve_bin, misclassified, benign_then_tp, reopened, escalated) ` +
        `select a.id, a.incident_id, a.created_at, ${bucketColumns(kind, 'a.created_at')}, a.severity, a.classification, a.determination, ` +
        `coalesce(a.product_name, a.service_source, a.detection_source), a.assigned_to, ` +
        `${binOfSql(triage)}, ${binOfSql(resolve)}, coalesce(s.misclassified, 0), coalesce(s.benign_then_tp, 0), coalesce(s.reopened, 0), coalesce(s.escalated, 0) ` +
        `from alerts a join lf_pending p on p.id = a.incident_id left join lf_sc s on s.alert_id = a.id`,
    ).execute(trx);
    await run(
      `insert into learning_technique_facts (alert_id, incident_id, technique_id, created_at, day, week, month, quarter, assigned_to, triage_bin, resolve_bin, ` +
        `misclassified, benign_then_tp, reopened, escalated) ` +
        `select distinct t.alert_id, t.incident_id, upper(t.technique_id), f.created_at, f.day, f.week, f.month, f.quarter, f.assigned_to, f.triage_bin, f.resolve_bin, ` +
        `f.misclassified, f.benign_then_tp, f.reopened, f.escalated ` +
        `from alert_techniques t join lf_pending p on p.id = t.incident_id join learning_alert_facts f on f.alert_id = t.alert_id`,
    );
    // Incident milestones (docs/learning.md): detected = first alert raised; first activity = earliest
    // alert activity; acknowledged = first triage action on any alert; contained = first alert resolved;
    // resolved = the incident's resolution time.
    const seconds = (from: string, to: string) => binOfSql(secondsBetween(kind, from, to));
    await run(
      `insert into learning_incident_facts (incident_id, content_hash, created_at, day, week, month, quarter, severity, classification, determination, alerts, ` +
        `detect_bin, ack_bin, contain_bin, resolve_bin) ` +
        `select i.id, i.content_hash, i.created_at, ${bucketColumns(kind, 'i.created_at')}, i.severity, i.classification, i.determination, coalesce(x.n, 0), ` +
        `${seconds('x.first_at', 'x.detected_at')}, ${seconds('coalesce(x.detected_at, i.created_at)', 'x.ack_at')}, ` +
        `${seconds('coalesce(x.detected_at, i.created_at)', 'x.contained_at')}, ${seconds('coalesce(x.detected_at, i.created_at)', 'i.resolved_at')} ` +
        `from incidents i join lf_pending p on p.id = i.id left join (` +
        `select a.incident_id as incident_id, count(*) as n, min(a.created_at) as detected_at, min(coalesce(a.first_activity_at, a.created_at)) as first_at, ` +
        `min(s.ack_at) as ack_at, min(a.resolved_at) as contained_at ` +
        `from alerts a join lf_pending p2 on p2.id = a.incident_id left join lf_sc s on s.alert_id = a.id group by a.incident_id` +
        `) x on x.incident_id = i.id`,
    );
    await run('drop table lf_sc');
    await run('drop table lf_pending');
    return { incidents, alerts: Number(inserted.numAffectedRows ?? 0) };
  });
}

const BUCKET_COLUMN: Record<TrendBucket, string> = { week: 'week', month: 'month', quarter: 'quarter' };

/** A range bound as ISO text comparable with stored times: a bare date becomes midnight UTC. */
export function normaliseBound(value: string | undefined, name: string): string | null {
  if (value === undefined || value === '') return null;
  const v = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UsageError(`${name} must be an ISO-8601 date or time, not "${value}"`);
  return new Date(ms).toISOString();
}

function rangeWhere(range: { from: string | null; to: string | null }, column = 'created_at'): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (range.from) parts.push(sql`${sql.ref(column)} >= ${range.from}`);
  if (range.to) parts.push(sql`${sql.ref(column)} < ${range.to}`);
  return sql.join(parts, sql` and `);
}

const num = (v: unknown): number => Number(v ?? 0);
const binOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Everything `analyseTrends` needs, aggregated in SQL. Call `refreshLearningFacts` first. */
export async function trendAggregates(db: AnyDb, kind: StoreKind, options: LearningRange & { bucket: TrendBucket }): Promise<TrendAggregates> {
  void kind;
  const range = { from: normaliseBound(options.from, '--from'), to: normaliseBound(options.to, '--to') };
  const b = sql.ref(BUCKET_COLUMN[options.bucket]);
  const where = rangeWhere(range);

  const incidents = await sql<{ bucket: string; severity: string; classification: string | null; determination: string | null; n: unknown }>`
    select ${b} as bucket, severity, classification, determination, count(*) as n from learning_incident_facts
    where ${where} group by ${b}, severity, classification, determination`.execute(db);
  const alerts = await sql<{ bucket: string; severity: string; classification: string | null; determination: string | null; product: string | null; n: unknown }>`
    select ${b} as bucket, severity, classification, determination, product, count(*) as n from learning_alert_facts
    where ${where} group by ${b}, severity, classification, determination, product`.execute(db);

  const responseTimes: TrendAggregates['responseTimes'] = [];
  const metricColumns: [ResponseMetric, string][] = [
    ['detect', 'detect_bin'],
    ['acknowledge', 'ack_bin'],
    ['contain', 'contain_bin'],
    ['resolve', 'resolve_bin'],
  ];
  for (const [metric, column] of metricColumns) {
    const c = sql.ref(column);
    const rows = await sql<{ bucket: string; severity: string; bin: unknown; n: unknown }>`
      select ${b} as bucket, severity, ${c} as bin, count(*) as n from learning_incident_facts
      where ${where} and ${c} is not null group by ${b}, severity, ${c}`.execute(db);
    for (const r of rows.rows) responseTimes.push({ bucket: r.bucket, severity: r.severity, metric, bin: num(r.bin), count: num(r.n) });
  }

  const techniqueTimes: TrendAggregates['techniqueTimes'] = [];
  for (const [metric, column] of [['triage', 'triage_bin'], ['resolve', 'resolve_bin']] as const) {
    const c = sql.ref(column);
    const rows = await sql<{ technique_id: string; bin: unknown; n: unknown }>`
      select technique_id, ${c} as bin, count(*) as n from learning_technique_facts
      where ${where} and ${c} is not null group by technique_id, ${c}`.execute(db);
    for (const r of rows.rows) techniqueTimes.push({ techniqueId: r.technique_id, metric, bin: num(r.bin), count: num(r.n) });
  }

  const byBucket = await sql<{ bucket: string; technique_id: string; alerts: unknown; incidents: unknown }>`
    select ${b} as bucket, technique_id, count(*) as alerts, count(distinct incident_id) as incidents from learning_technique_facts
    where ${where} group by ${b}, technique_id`.execute(db);
  const inRange = await sql<{ technique_id: string; alerts: unknown; incidents: unknown }>`
    select technique_id, count(*) as alerts, count(distinct incident_id) as incidents from learning_technique_facts
    where ${where} group by technique_id`.execute(db);

  return {
    bucket: options.bucket,
    range,
    incidents: incidents.rows.map((r) => ({ bucket: r.bucket, severity: r.severity, classification: r.classification, determination: r.determination, count: num(r.n) })),
    alerts: alerts.rows.map((r) => ({
      bucket: r.bucket,
      severity: r.severity,
      classification: r.classification,
      determination: r.determination,
      product: r.product,
      count: num(r.n),
    })),
    responseTimes,
    techniqueTimes,
    techniquesByBucket: byBucket.rows.map((r) => ({ bucket: r.bucket, techniqueId: r.technique_id, alerts: num(r.alerts), incidents: num(r.incidents) })),
    techniquesInRange: inRange.rows.map((r) => ({ techniqueId: r.technique_id, alerts: num(r.alerts), incidents: num(r.incidents) })),
    findings: await findingFacts(db, range),
    actionItems: await actionItemFacts(db, range),
  };
}

/** Per technique (and analyst when `byAnalyst`) histograms and outcome counts for `analyseSkills`. */
export async function skillAggregates(db: AnyDb, kind: StoreKind, options: LearningRange & { byAnalyst?: boolean }): Promise<SkillAggregates> {
  void kind;
  const range = { from: normaliseBound(options.from, '--from'), to: normaliseBound(options.to, '--to') };
  const byAnalyst = options.byAnalyst === true;
  const where = rangeWhere(range);
  const analyst = byAnalyst ? sql`assigned_to` : sql`null`;
  const groupAnalyst = byAnalyst ? sql`, assigned_to` : sql``;
  const triage = await sql<{ technique_id: string; analyst: string | null; bin: unknown; n: unknown; mis: unknown; btp: unknown; reo: unknown; esc: unknown }>`
    select technique_id, ${analyst} as analyst, triage_bin as bin, count(*) as n, sum(misclassified) as mis, sum(benign_then_tp) as btp,
      sum(reopened) as reo, sum(escalated) as esc
    from learning_technique_facts where ${where} group by technique_id${groupAnalyst}, triage_bin`.execute(db);
  const resolve = await sql<{ technique_id: string; analyst: string | null; bin: unknown; n: unknown }>`
    select technique_id, ${analyst} as analyst, resolve_bin as bin, count(*) as n
    from learning_technique_facts where ${where} group by technique_id${groupAnalyst}, resolve_bin`.execute(db);
  return {
    range,
    byAnalyst,
    triage: triage.rows.map((r) => ({
      techniqueId: r.technique_id,
      analyst: r.analyst ?? null,
      bin: binOrNull(r.bin),
      alerts: num(r.n),
      misclassified: num(r.mis),
      benignThenTruePositive: num(r.btp),
      reopened: num(r.reo),
      escalated: num(r.esc),
    })),
    resolve: resolve.rows.map((r) => ({ techniqueId: r.technique_id, analyst: r.analyst ?? null, bin: binOrNull(r.bin), alerts: num(r.n) })),
    findings: await findingFacts(db, range),
  };
}

async function hasTable(db: AnyDb, name: string): Promise<boolean> {
  const tables = await db.introspection.getTables();
  return tables.some((t) => t.name === name);
}

/**
 * Review findings in the range (by the finding's creation), from the review workflow's tables; an
 * empty list when the store has none.
 */
export async function findingFacts(db: AnyDb, range: { from: string | null; to: string | null }): Promise<FindingFact[]> {
  if (!(await hasTable(db, 'review_findings'))) return [];
  const rows = await sql<{ incident_id: string; category: string; created_at: string; techniques: string }>`
    select incident_id, category, created_at, techniques from review_findings where ${rangeWhere(range)}`.execute(db);
  return rows.rows.map((r) => ({ incidentId: r.incident_id, category: r.category, createdAt: r.created_at, techniques: parseIdList(r.techniques) }));
}

/** Action items opened up to the end of the range (overdue and closed counts need the earlier ones too). */
export async function actionItemFacts(db: AnyDb, range: { from: string | null; to: string | null }): Promise<ActionItemFact[]> {
  if (!(await hasTable(db, 'review_action_items'))) return [];
  const rows = await sql<{ status: string; created_at: string; due_date: string | null; verified_at: string | null; updated_at: string }>`
    select status, created_at, due_date, verified_at, updated_at from review_action_items where ${rangeWhere({ from: null, to: range.to })}`.execute(db);
  return rows.rows.map((r) => ({
    status: r.status,
    createdAt: r.created_at,
    dueDate: r.due_date,
    closedAt: ['done', 'verified', 'wont-do'].includes(r.status) ? (r.verified_at ?? r.updated_at) : null,
  }));
}

function parseIdList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value.map((v: unknown) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null && 'id' in v ? String((v as { id: unknown }).id) : '')).filter(Boolean);
  } catch {
    return [];
  }
}
