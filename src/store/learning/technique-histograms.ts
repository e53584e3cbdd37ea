import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { anyOf, splitRange, withinRange, type DayRange } from './ranges.js';

/** One bin of a technique's (and analyst's) time-to-triage or time-to-resolve histogram, with the alerts' outcomes. */
export interface HistogramRow {
  techniqueId: string;
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
export async function techniqueHistograms(db: Kysely<Database>, r: DayRange, byAnalyst: boolean): Promise<HistogramRow[]> {
  const { periods, days } = splitRange(r, 'month');
  const monthWhere = periods === null ? sql`1 = 0` : withinRange(periods, 'month');
  const edges = anyOf(days.map((d) => withinRange(d, 'day')));
  if (!byAnalyst) {
    const rows = await sql<HistogramRow>`
      select technique_id as "techniqueId", null as analyst, metric, nullif(bin, -1) as bin, sum(alerts) as n, sum(misclassified) as mis, sum(benign_then_tp) as btp,
        sum(reopened) as reo, sum(escalated) as esc
      from (
        select technique_id, metric, bin, alerts, misclassified, benign_then_tp, reopened, escalated from learning_month_technique_hist
          where ${monthWhere} and alerts <> 0
        union all
        select technique_id, metric, bin, alerts, misclassified, benign_then_tp, reopened, escalated from learning_day_technique_hist
          where ${edges} and alerts <> 0
      ) h group by technique_id, metric, bin`.execute(db.withoutPlugins());
    return rows.rows;
  }
  const rows = await sql<HistogramRow>`
    select technique_id as "techniqueId", nullif(analyst, '') as analyst, metric, nullif(bin, -1) as bin, sum(alerts) as n, sum(misclassified) as mis,
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
    ) h group by technique_id, analyst, metric, bin`.execute(db.withoutPlugins());
  return rows.rows;
}

/** A count as SQL returned it (a number, a bigint string on PostgreSQL, or null) as a number. */
export const num = (v: unknown): number => Number(v ?? 0);
/** A bin as SQL returned it, null kept. */
export const binOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
