import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { isPostgres } from '../dialect.js';
import { addContribution, aggregatesAddUp, countOf, insertSpans, reaggregateAll } from './aggregate-maintenance.js';
import { binOfSql, bucketColumns, secondsBetween, severityRankSql } from './sql-fragments.js';

/**
 * Keeps the narrow fact tables of migration 0003 in step with the incidents: every incident whose
 * content hash changed (or that has no facts yet) gets its alert, technique and incident facts
 * rebuilt, and the pre-aggregated tables of 0007 follow (aggregate-maintenance.ts).
 */

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

type Db = Kysely<Database>;

const FACT_TABLES = ['learning_technique_spans', 'learning_technique_facts', 'learning_alert_facts', 'learning_incident_facts'];

/**
 * Rebuilds the learning facts of every incident that has none or whose content hash changed, drops
 * those of incidents no longer stored, and keeps the pre-aggregated tables in step: the changed
 * incidents' old contribution is subtracted (from their old facts) and the new one added. When every
 * incident is rebuilt (the first run after a large import or after the migration), or when the
 * aggregates no longer add up to the facts (an incident was removed and its facts went with it),
 * everything is re-aggregated. One transaction (the caller's, when `db` is in one); returns how
 * much was rebuilt.
 */
export async function refreshLearningFacts(db: Db): Promise<RefreshSummary> {
  return db.isTransaction ? refreshInTransaction(db) : db.transaction().execute(refreshInTransaction);
}

async function refreshInTransaction(trx: Db): Promise<RefreshSummary> {
  const run = (text: string) => sql.raw(text).execute(trx);
  const postgres = isPostgres(trx);
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
    await reaggregateAll(trx);
    return { incidents: 0, alerts: 0, aggregates: 'rebuilt' };
  }
  const full = incidents === (await countOf(trx, 'select count(*) as n from incidents'));
  await run('create index lf_pending_id on lf_pending (id)');
  // PostgreSQL has no statistics for a new temporary table: without them it scans the facts for
  // each of the ~30 incremental statements instead of probing them by incident.
  if (postgres) await run('analyze lf_pending');
  const pending = 'incident_id in (select id from lf_pending)';
  if (!full) await addContribution(trx, -1, pending);
  for (const table of FACT_TABLES) await run(full ? `delete from ${table}` : `delete from ${table} where ${pending}`);
  const alerts = await buildFacts(trx);
  let aggregates: RefreshSummary['aggregates'] = 'rebuilt';
  if (full) {
    await reaggregateAll(trx);
  } else {
    await addContribution(trx, 1, pending);
    await insertSpans(trx, pending);
    if (await aggregatesAddUp(trx)) aggregates = 'incremental';
    else await reaggregateAll(trx);
  }
  await run('drop table lf_pending');
  return { incidents, alerts, aggregates };
}

/** Builds the facts of the incidents in `lf_pending` (their old facts already deleted); returns the alerts. */
async function buildFacts(trx: Db): Promise<number> {
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
      `max(case when (${changeIs('severity')} and ${severityRankSql('sc.to_value')} > ${severityRankSql('sc.from_value')}) ` +
      `or (${changeIs('assignedTo')} and sc.from_value is not null and sc.to_value is not null and sc.from_value <> sc.to_value) then 1 else 0 end) as escalated ` +
      `from status_changes sc where sc.alert_id is not null and sc.incident_id in (select id from lf_pending) group by sc.alert_id`,
  );
  await run('create index lf_sc_alert on lf_sc (alert_id)');
  if (isPostgres(trx)) await run('analyze lf_sc');
  const triage = secondsBetween(trx, 'a.created_at', 's.ack_at');
  const resolve = secondsBetween(trx, 'a.created_at', 'a.resolved_at');
  const inserted = await sql
    .raw(
      `insert into learning_alert_facts (alert_id, incident_id, created_at, day, week, month, quarter, severity, classification, determination, product, assigned_to, ` +
        `triage_bin, resolve_bin, misclassified, benign_then_tp, reopened, escalated) ` +
        `select a.id, a.incident_id, a.created_at, ${bucketColumns(trx, 'a.created_at')}, a.severity, a.classification, a.determination, ` +
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
  const seconds = (from: string, to: string) => binOfSql(secondsBetween(trx, from, to));
  await run(
    `insert into learning_incident_facts (incident_id, content_hash, created_at, day, week, month, quarter, severity, classification, determination, alerts, ` +
      `detect_bin, ack_bin, contain_bin, resolve_bin) ` +
      `select i.id, i.content_hash, i.created_at, ${bucketColumns(trx, 'i.created_at')}, i.severity, i.classification, i.determination, coalesce(x.n, 0), ` +
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
