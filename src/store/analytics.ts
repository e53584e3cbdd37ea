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
import { LEARNING_AGGREGATE_TABLES } from './migrations/0007-learning-aggregates.js';
import type { Database } from './schema.js';
import type { StoreKind } from './types.js';

/**
 * The SQL side of learning across incidents. `refreshLearningFacts` keeps the narrow fact tables of
 * migration 0003 in step with the incidents (rebuilding every incident whose content hash changed)
 * and, incrementally, the pre-aggregated day/week/month tables of migration 0007;
 * `trendAggregates` and `skillAggregates` read those small tables and return aggregates (counts and
 * log-scale duration histograms) for the pure analyses. `trendAggregatesFromFacts` and
 * `skillAggregatesFromFacts` compute the same straight from the facts (the reference, and the path
 * for bounds that are not whole days). The same SQL runs on SQLite and PostgreSQL; only date
 * arithmetic, ISO weeks and the log-bin expression differ per dialect.
 */

/** Bins per doubling of the duration histograms (see model/learning.ts). */
export const BINS_PER_DOUBLING = 4;

export interface RefreshSummary {
  /** Incidents whose facts were (re)built. */
  incidents: number;
  alerts: number;
  /**
   * How the pre-aggregated tables were brought up to date: `unchanged`, `incremental` (the changed
   * incidents' contributions subtracted and added) or `rebuilt` (everything re-aggregated: first
   * build, or the aggregates no longer added up after a removal).
   */
  aggregates: 'unchanged' | 'incremental' | 'rebuilt';
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
 * Rebuilds the learning facts of every incident that has none or whose content hash changed, drops
 * those of incidents no longer stored, and keeps the pre-aggregated tables of migration 0007 in
 * step: the changed incidents' old contribution is subtracted (from their old facts) and the new one
 * added, by upserts on the aggregate keys. When every incident is rebuilt (the first run after a
 * large import or after the migration), or when the aggregates no longer add up to the facts (an
 * incident was removed and its facts went with it), everything is re-aggregated. One transaction;
 * returns how much was rebuilt.
 */
export async function refreshLearningFacts(db: AnyDb, kind: StoreKind): Promise<RefreshSummary> {
  return db.transaction().execute(async (trx) => {
    const run = (text: string) => sql.raw(text).execute(trx);
    for (const table of ['lf_pending', 'lf_sc']) await run(`drop table if exists ${table}`);
    await run(
      `create temp table lf_pending as select i.id as id from incidents i left join learning_incident_facts f on f.incident_id = i.id ` +
        `where f.incident_id is null or f.content_hash <> i.content_hash`,
    );
    const incidents = await countOf(trx, 'select count(*) as n from lf_pending');
    // Facts of incidents that are gone (a deleted incident cascades; a re-keyed one does not).
    await run('delete from learning_incident_facts where not exists (select 1 from incidents i where i.id = learning_incident_facts.incident_id)');
    if (incidents === 0) {
      await run('drop table lf_pending');
      if (await aggregatesAddUp(trx)) return { incidents: 0, alerts: 0, aggregates: 'unchanged' };
      await reaggregateAll(trx, kind);
      return { incidents: 0, alerts: 0, aggregates: 'rebuilt' };
    }
    const full = incidents === (await countOf(trx, 'select count(*) as n from incidents'));
    await run('create index lf_pending_id on lf_pending (id)');
    // PostgreSQL has no statistics for a new temporary table: without them it scans the facts for
    // each of the ~30 incremental statements instead of probing them by incident.
    if (kind === 'postgres') await run('analyze lf_pending');
    const pending = 'incident_id in (select id from lf_pending)';
    if (!full) await addContribution(trx, kind, -1, pending);
    for (const table of ['learning_technique_spans', 'learning_technique_facts', 'learning_alert_facts', 'learning_incident_facts']) {
      await run(full ? `delete from ${table}` : `delete from ${table} where ${pending}`);
    }
    const alerts = await buildFacts(trx, kind);
    let aggregates: RefreshSummary['aggregates'] = 'rebuilt';
    if (full) {
      await reaggregateAll(trx, kind);
    } else {
      await addContribution(trx, kind, 1, pending);
      await insertSpans(trx, pending);
      if (await aggregatesAddUp(trx)) aggregates = 'incremental';
      else await reaggregateAll(trx, kind);
    }
    await run('drop table lf_pending');
    return { incidents, alerts, aggregates };
  });
}

async function countOf(trx: AnyDb, text: string): Promise<number> {
  return Number((await sql<{ n: unknown }>`${sql.raw(text)}`.execute(trx)).rows[0]?.n ?? 0);
}

/** Whether the aggregates count exactly the incidents that have facts (false after a removal). */
async function aggregatesAddUp(trx: AnyDb): Promise<boolean> {
  const counted = await countOf(trx, 'select coalesce(sum(incidents), 0) as n from learning_month_incidents');
  return counted === (await countOf(trx, 'select count(*) as n from learning_incident_facts'));
}

/** Empties the aggregate tables and aggregates every fact again. */
async function reaggregateAll(trx: AnyDb, kind: StoreKind): Promise<void> {
  for (const t of LEARNING_AGGREGATE_TABLES) await sql`delete from ${sql.table(t.name)}`.execute(trx);
  await sql`delete from learning_technique_spans`.execute(trx);
  await addContribution(trx, kind, 1, '1 = 1');
  await insertSpans(trx, '1 = 1');
}

/** The (incident, technique, day) rows of the pairs, among the incidents matching `where`, whose alerts fall on two or more days. */
async function insertSpans(trx: AnyDb, where: string): Promise<void> {
  await sql
    .raw(
      `insert into learning_technique_spans (incident_id, technique_id, day, week, month, quarter) ` +
        `select t.incident_id, t.technique_id, t.day, t.week, t.month, t.quarter from learning_technique_facts t join (` +
        `select incident_id, technique_id from learning_technique_facts where ${where} ` +
        `group by incident_id, technique_id having count(distinct day) > 1) m on m.incident_id = t.incident_id and m.technique_id = t.technique_id ` +
        // The same filter on the outer side lets the planner probe the facts by incident rather than scan them.
        `where ${where === '1 = 1' ? where : `t.${where}`} group by t.incident_id, t.technique_id, t.day, t.week, t.month, t.quarter`,
    )
    .execute(trx);
}

/** The Monday starting a day's ISO week, as `YYYY-MM-DD`. */
function weekStartSql(kind: StoreKind, day: string): string {
  return kind === 'sqlite'
    ? `date(${day}, 'weekday 0', '-6 days')`
    : `to_char(cast(${day} as date) - (cast(extract(isodow from cast(${day} as date)) as integer) - 1), 'YYYY-MM-DD')`;
}

const RESPONSE_COLUMNS: [ResponseMetric, string][] = [
  ['detect', 'detect_bin'],
  ['acknowledge', 'ack_bin'],
  ['contain', 'contain_bin'],
  ['resolve', 'resolve_bin'],
];

/**
 * Adds `sign` (1 or -1) times the contribution of the facts whose incident matches `where` to every
 * aggregate table, by upsert on the table's key. Distinct incidents per (day, technique) add up
 * across disjoint incident sets, so they are maintained the same way.
 */
async function addContribution(trx: AnyDb, kind: StoreKind, sign: 1 | -1, where: string): Promise<void> {
  const upsert = async (table: string, columns: [column: string, expression: string][], keyCount: number, valueCount: number, from: string, filter = where) => {
    const names = columns.map(([c]) => c);
    const keys = names.slice(0, keyCount);
    // Constant columns (the metric name) are left out of GROUP BY: PostgreSQL refuses text constants there.
    const groupBy = columns.slice(0, columns.length - valueCount).map(([, e]) => e).filter((e) => !e.startsWith("'"));
    const values = names.slice(columns.length - valueCount);
    await sql
      .raw(
        `insert into ${table} (${names.join(', ')}) select ${columns.map(([, e]) => e).join(', ')} from ${from} where ${filter} ` +
          `group by ${groupBy.join(', ')} on conflict (${keys.join(', ')}) do update set ${values.map((v) => `${v} = ${table}.${v} + excluded.${v}`).join(', ')}`,
      )
      .execute(trx);
  };
  const n = (expression: string) => `${sign} * ${expression}`;
  const periods: { prefix: string; keys: [string, string][]; labels: [string, string][] }[] = [
    { prefix: 'learning_day', keys: [['day', 'day']], labels: [['week', 'week'], ['month', 'month'], ['quarter', 'quarter']] },
    { prefix: 'learning_week', keys: [['week_start', weekStartSql(kind, 'day')]], labels: [['week', 'week']] },
    { prefix: 'learning_month', keys: [['month', 'month']], labels: [['quarter', 'quarter']] },
  ];
  const outcome = (bin: string): [string, string][] => [
    ['bin', `coalesce(${bin}, -1)`],
    ['alerts', n('count(*)')],
    ['misclassified', n('sum(misclassified)')],
    ['benign_then_tp', n('sum(benign_then_tp)')],
    ['reopened', n('sum(reopened)')],
    ['escalated', n('sum(escalated)')],
  ];
  for (const p of periods) {
    const k = p.keys.length;
    const breakdown: [string, string][] = [
      ['severity', 'severity'],
      ['classification', "coalesce(classification, '')"],
      ['determination', "coalesce(determination, '')"],
    ];
    await upsert(`${p.prefix}_incidents`, [...p.keys, ...breakdown, ...p.labels, ['incidents', n('count(*)')]], k + 3, 1, 'learning_incident_facts');
    await upsert(
      `${p.prefix}_alerts`,
      [...p.keys, ...breakdown, ['product', "coalesce(product, '')"], ...p.labels, ['alerts', n('count(*)')]],
      k + 4,
      1,
      'learning_alert_facts',
    );
    for (const [metric, column] of RESPONSE_COLUMNS) {
      await upsert(
        `${p.prefix}_response`,
        [...p.keys, ['severity', 'severity'], ['metric', `'${metric}'`], ['bin', column], ...p.labels, ['incidents', n('count(*)')]],
        k + 3,
        1,
        'learning_incident_facts',
        `${where} and ${column} is not null`,
      );
    }
  }
  await upsert(
    'learning_day_techniques',
    [['day', 'day'], ['technique_id', 'technique_id'], ['week', 'week'], ['month', 'month'], ['quarter', 'quarter'], ['alerts', n('count(*)')], ['incidents', n('count(distinct incident_id)')]],
    2,
    2,
    'learning_technique_facts',
  );
  for (const metric of ['triage', 'resolve'] as const) {
    const bin = `${metric}_bin`;
    await upsert('learning_day_technique_hist', [['day', 'day'], ['technique_id', 'technique_id'], ['metric', `'${metric}'`], ...outcome(bin)], 4, 5, 'learning_technique_facts');
    await upsert('learning_month_technique_hist', [['month', 'month'], ['technique_id', 'technique_id'], ['metric', `'${metric}'`], ...outcome(bin)], 4, 5, 'learning_technique_facts');
    await upsert(
      'learning_month_analyst_hist',
      [['month', 'month'], ['technique_id', 'technique_id'], ['analyst', "coalesce(assigned_to, '')"], ['metric', `'${metric}'`], ...outcome(bin)],
      5,
      5,
      'learning_technique_facts',
    );
  }
}

/** Builds the facts of the incidents in `lf_pending` (their old facts already deleted); returns the alerts. */
async function buildFacts(trx: AnyDb, kind: StoreKind): Promise<number> {
  const run = (text: string) => sql.raw(text).execute(trx);
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
  if (kind === 'postgres') await run('analyze lf_sc');
  const triage = secondsBetween(kind, 'a.created_at', 's.ack_at');
  const resolve = secondsBetween(kind, 'a.created_at', 'a.resolved_at');
  const inserted = await sql
    .raw(
      `insert into learning_alert_facts (alert_id, incident_id, created_at, day, week, month, quarter, severity, classification, determination, product, assigned_to, ` +
        `triage_bin, resolve_bin, misclassified, benign_then_tp, reopened, escalated) ` +
        `select a.id, a.incident_id, a.created_at, ${bucketColumns(kind, 'a.created_at')}, a.severity, a.classification, a.determination, ` +
        `coalesce(a.product_name, a.service_source, a.detection_source), a.assigned_to, ` +
        `${binOfSql(triage)}, ${binOfSql(resolve)}, coalesce(s.misclassified, 0), coalesce(s.benign_then_tp, 0), coalesce(s.reopened, 0), coalesce(s.escalated, 0) ` +
        `from alerts a join lf_pending p on p.id = a.incident_id left join lf_sc s on s.alert_id = a.id`,
    )
    .execute(trx);
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
  return Number(inserted.numAffectedRows ?? 0);
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

/**
 * Everything `analyseTrends` needs, aggregated in SQL straight from the fact tables (about ten
 * GROUP BY scans of up to a million rows). The reference for the pre-aggregated path, and the path
 * for range bounds that are not whole days. Call `refreshLearningFacts` first.
 */
export async function trendAggregatesFromFacts(db: AnyDb, kind: StoreKind, options: LearningRange & { bucket: TrendBucket }): Promise<TrendAggregates> {
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

/**
 * Per technique (and analyst when `byAnalyst`) histograms and outcome counts for `analyseSkills`,
 * straight from the technique facts: the reference for the pre-aggregated path.
 */
export async function skillAggregatesFromFacts(db: AnyDb, kind: StoreKind, options: LearningRange & { byAnalyst?: boolean }): Promise<SkillAggregates> {
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

/** A range in whole UTC days, `YYYY-MM-DD`, `to` exclusive; null bounds are open. */
interface DayRange {
  from: string | null;
  to: string | null;
}

/** The range as whole days, or null when a bound is not midnight UTC (then only the facts answer exactly). */
function wholeDays(range: { from: string | null; to: string | null }): DayRange | null {
  const day = (v: string | null) => (v === null ? null : v.endsWith('T00:00:00.000Z') ? v.slice(0, 10) : undefined);
  const from = day(range.from);
  const to = day(range.to);
  return from === undefined || to === undefined ? null : { from, to };
}

function dayWhere(r: DayRange, column = 'day'): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (r.from !== null) parts.push(sql`${sql.ref(column)} >= ${r.from}`);
  if (r.to !== null) parts.push(sql`${sql.ref(column)} < ${r.to}`);
  return sql.join(parts, sql` and `);
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** Monday = 0 ... Sunday = 6. */
const isoWeekday = (day: string) => (new Date(`${day}T00:00:00.000Z`).getUTCDay() + 6) % 7;

function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${month.slice(0, 4)}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * Splits a day range into the whole periods inside it (months as `YYYY-MM`, or ISO weeks as the
 * `YYYY-MM-DD` of their Monday), read from the coarser tables, and the days at its edges, read from
 * the daily table (or the facts).
 */
export function splitRange(r: DayRange, unit: 'month' | 'week' = 'month'): { periods: DayRange | null; days: DayRange[] } {
  const monthly = unit === 'month';
  const startsPeriod = (day: string) => (monthly ? day.endsWith('-01') : isoWeekday(day) === 0);
  const periodOf = (day: string) => (monthly ? day.slice(0, 7) : addDays(day, -isoWeekday(day)));
  const firstDay = (period: string) => (monthly ? `${period}-01` : period);
  const next = (period: string) => (monthly ? nextMonth(period) : addDays(period, 7));
  const fp = r.from === null ? null : startsPeriod(r.from) ? periodOf(r.from) : next(periodOf(r.from));
  const tp = r.to === null ? null : periodOf(r.to);
  if (fp !== null && tp !== null && fp >= tp) return { periods: null, days: [r] };
  const days: DayRange[] = [];
  if (r.from !== null && fp !== null && !startsPeriod(r.from)) days.push({ from: r.from, to: firstDay(fp) });
  if (r.to !== null && tp !== null && !startsPeriod(r.to)) days.push({ from: firstDay(tp), to: r.to });
  return { periods: { from: fp, to: tp }, days };
}

function anyOf(pieces: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return pieces.length === 0 ? sql`1 = 0` : sql`(${sql.join(pieces.map((p) => sql`(${p})`), sql` or `)})`;
}

interface HistRow {
  technique_id: string;
  analyst: string | null;
  metric: string;
  bin: unknown;
  n: unknown;
  mis: unknown;
  btp: unknown;
  reo: unknown;
  esc: unknown;
}

/**
 * Technique histograms (both metrics, null bins included) over a whole-day range: whole months from
 * the monthly table, edge days from the daily table, or with `byAnalyst` from the monthly analyst
 * table and the technique facts of the edge days.
 */
async function techniqueHistograms(db: AnyDb, r: DayRange, byAnalyst: boolean): Promise<HistRow[]> {
  const { periods, days } = splitRange(r, 'month');
  const monthWhere = periods === null ? sql`1 = 0` : dayWhere(periods, 'month');
  const edges = anyOf(days.map((d) => dayWhere(d)));
  if (!byAnalyst) {
    const rows = await sql<HistRow>`
      select technique_id, null as analyst, metric, nullif(bin, -1) as bin, sum(alerts) as n, sum(misclassified) as mis, sum(benign_then_tp) as btp,
        sum(reopened) as reo, sum(escalated) as esc
      from (
        select technique_id, metric, bin, alerts, misclassified, benign_then_tp, reopened, escalated from learning_month_technique_hist
          where ${monthWhere} and alerts <> 0
        union all
        select technique_id, metric, bin, alerts, misclassified, benign_then_tp, reopened, escalated from learning_day_technique_hist
          where ${edges} and alerts <> 0
      ) h group by technique_id, metric, bin`.execute(db);
    return rows.rows;
  }
  const rows = await sql<HistRow>`
    select technique_id, nullif(analyst, '') as analyst, metric, nullif(bin, -1) as bin, sum(alerts) as n, sum(misclassified) as mis,
      sum(benign_then_tp) as btp, sum(reopened) as reo, sum(escalated) as esc
    from (
      select technique_id, analyst, metric, bin, alerts, misclassified, benign_then_tp, reopened, escalated from learning_month_analyst_hist
        where ${monthWhere} and alerts <> 0
      union all
      select technique_id, coalesce(assigned_to, '') as analyst, 'triage' as metric, coalesce(triage_bin, -1) as bin, 1 as alerts,
        misclassified, benign_then_tp, reopened, escalated from learning_technique_facts where ${edges}
      union all
      select technique_id, coalesce(assigned_to, '') as analyst, 'resolve' as metric, coalesce(resolve_bin, -1) as bin, 1 as alerts,
        misclassified, benign_then_tp, reopened, escalated from learning_technique_facts where ${edges}
    ) h group by technique_id, analyst, metric, bin`.execute(db);
  return rows.rows;
}

/**
 * Rows of a bucketed aggregate (`learning_{day,week,month}_<name>`) over a whole-day range: whole
 * weeks (week buckets) or months (month and quarter buckets) from the coarser table, the edge days
 * from the daily one. `select` lists the columns after the bucket, `group` the grouping columns,
 * `count` the value column.
 */
async function bucketed<R>(db: AnyDb, name: string, r: DayRange, bucket: TrendBucket, columns: string, count: string): Promise<R[]> {
  const unit = bucket === 'week' ? 'week' : 'month';
  const { periods, days } = splitRange(r, unit);
  const coarse = sql.table(`learning_${unit}_${name}`);
  const periodWhere = periods === null ? sql`1 = 0` : dayWhere(periods, unit === 'week' ? 'week_start' : 'month');
  const b = sql.ref(BUCKET_COLUMN[bucket]);
  const c = sql.raw(columns);
  const n = sql.ref(count);
  const rows = await sql<R>`
    select bucket, ${c}, sum(${n}) as n from (
      select ${b} as bucket, ${c}, ${n} from ${coarse} where ${periodWhere} and ${n} <> 0
      union all
      select ${b} as bucket, ${c}, ${n} from ${sql.table(`learning_day_${name}`)} where ${anyOf(days.map((d) => dayWhere(d)))} and ${n} <> 0
    ) x group by bucket, ${c}`.execute(db);
  return rows.rows;
}

/**
 * Everything `analyseTrends` needs. Ranges on whole days (bare dates, or midnight UTC) read the
 * pre-aggregated tables of migration 0007; other bounds fall back to the fact tables
 * (`trendAggregatesFromFacts`, same result, slower). Call `refreshLearningFacts` first.
 */
export async function trendAggregates(db: AnyDb, kind: StoreKind, options: LearningRange & { bucket: TrendBucket }): Promise<TrendAggregates> {
  const range = { from: normaliseBound(options.from, '--from'), to: normaliseBound(options.to, '--to') };
  const days = wholeDays(range);
  if (days === null) return trendAggregatesFromFacts(db, kind, options);
  const b = sql.ref(BUCKET_COLUMN[options.bucket]);
  const where = dayWhere(days);
  const text = (v: string) => (v === '' ? null : v);

  const incidents = await bucketed<{ bucket: string; severity: string; classification: string; determination: string; n: unknown }>(
    db, 'incidents', days, options.bucket, 'severity, classification, determination', 'incidents');
  const alerts = await bucketed<{ bucket: string; severity: string; classification: string; determination: string; product: string; n: unknown }>(
    db, 'alerts', days, options.bucket, 'severity, classification, determination, product', 'alerts');
  const response = await bucketed<{ bucket: string; severity: string; metric: ResponseMetric; bin: unknown; n: unknown }>(
    db, 'response', days, options.bucket, 'severity, metric, bin', 'incidents');
  const hist = await techniqueHistograms(db, days, false);

  // Distinct incidents per technique: the daily counts, less the repeats of incidents whose alerts of
  // the technique fall on several days of the same bucket (or range).
  const byBucket = await sql<{ bucket: string; technique_id: string; alerts: unknown; incidents: unknown }>`
    select ${b} as bucket, technique_id, sum(alerts) as alerts, sum(incidents) as incidents from learning_day_techniques
    where ${where} and alerts <> 0 group by ${b}, technique_id`.execute(db);
  const bucketRepeats = await sql<{ bucket: string; technique_id: string; n: unknown }>`
    select ${b} as bucket, technique_id, count(*) - count(distinct incident_id) as n from learning_technique_spans
    where ${where} group by ${b}, technique_id`.execute(db);
  const repeatsInBucket = new Map(bucketRepeats.rows.map((r) => [`${r.bucket}\u0000${r.technique_id}`, num(r.n)]));
  const inRange = await sql<{ technique_id: string; alerts: unknown; incidents: unknown }>`
    select technique_id, sum(alerts) as alerts, sum(incidents) as incidents from learning_day_techniques
    where ${where} and alerts <> 0 group by technique_id`.execute(db);
  const rangeRepeats = await sql<{ technique_id: string; n: unknown }>`
    select technique_id, count(*) - count(distinct incident_id) as n from learning_technique_spans
    where ${where} group by technique_id`.execute(db);
  const repeatsInRange = new Map(rangeRepeats.rows.map((r) => [r.technique_id, num(r.n)]));

  return {
    bucket: options.bucket,
    range,
    incidents: incidents.map((r) => ({ bucket: r.bucket, severity: r.severity, classification: text(r.classification), determination: text(r.determination), count: num(r.n) })),
    alerts: alerts.map((r) => ({
      bucket: r.bucket,
      severity: r.severity,
      classification: text(r.classification),
      determination: text(r.determination),
      product: text(r.product),
      count: num(r.n),
    })),
    responseTimes: response.map((r) => ({ bucket: r.bucket, severity: r.severity, metric: r.metric, bin: num(r.bin), count: num(r.n) })),
    techniqueTimes: hist
      .filter((r) => r.bin !== null && r.bin !== undefined)
      .map((r) => ({ techniqueId: r.technique_id, metric: r.metric === 'triage' ? ('triage' as const) : ('resolve' as const), bin: num(r.bin), count: num(r.n) })),
    techniquesByBucket: byBucket.rows.map((r) => ({
      bucket: r.bucket,
      techniqueId: r.technique_id,
      alerts: num(r.alerts),
      incidents: num(r.incidents) - (repeatsInBucket.get(`${r.bucket}\u0000${r.technique_id}`) ?? 0),
    })),
    techniquesInRange: inRange.rows.map((r) => ({ techniqueId: r.technique_id, alerts: num(r.alerts), incidents: num(r.incidents) - (repeatsInRange.get(r.technique_id) ?? 0) })),
    findings: await findingFacts(db, range),
    actionItems: await actionItemFacts(db, range),
  };
}

/**
 * Per technique (and analyst when `byAnalyst`) histograms and outcome counts for `analyseSkills`,
 * from the monthly histograms plus the edge days of the range; bounds that are not whole days fall
 * back to the facts (`skillAggregatesFromFacts`). Call `refreshLearningFacts` first.
 */
export async function skillAggregates(db: AnyDb, kind: StoreKind, options: LearningRange & { byAnalyst?: boolean }): Promise<SkillAggregates> {
  const range = { from: normaliseBound(options.from, '--from'), to: normaliseBound(options.to, '--to') };
  const days = wholeDays(range);
  if (days === null) return skillAggregatesFromFacts(db, kind, options);
  const byAnalyst = options.byAnalyst === true;
  const hist = await techniqueHistograms(db, days, byAnalyst);
  const triage = hist.filter((r) => r.metric === 'triage');
  const resolve = hist.filter((r) => r.metric === 'resolve');
  return {
    range,
    byAnalyst,
    triage: triage.map((r) => ({
      techniqueId: r.technique_id,
      analyst: r.analyst ?? null,
      bin: binOrNull(r.bin),
      alerts: num(r.n),
      misclassified: num(r.mis),
      benignThenTruePositive: num(r.btp),
      reopened: num(r.reo),
      escalated: num(r.esc),
    })),
    resolve: resolve.map((r) => ({ techniqueId: r.technique_id, analyst: r.analyst ?? null, bin: binOrNull(r.bin), alerts: num(r.n) })),
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
