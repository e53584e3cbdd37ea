import { sql, type Kysely } from 'kysely';
import type { LearningRange, SkillAggregates, SkillResolveRow, SkillTriageRow } from '../../model/learning.js';
import type { Database } from '../database.js';
import { timeRange, wholeDays, withinRange } from './ranges.js';
import { findingFacts } from './review-facts.js';
import { binOrNull, num, techniqueHistograms, type HistogramRow } from './technique-histograms.js';

/** Everything `analyseSkills` needs: per technique (and analyst) histograms and outcome counts. */

type Db = Kysely<Database>;
export type SkillRequest = LearningRange & { byAnalyst?: boolean };

function triageRow(r: Omit<HistogramRow, 'metric'>): SkillTriageRow {
  return {
    techniqueId: r.techniqueId,
    analyst: r.analyst ?? null,
    bin: binOrNull(r.bin),
    alerts: num(r.n),
    misclassified: num(r.mis),
    benignThenTruePositive: num(r.btp),
    reopened: num(r.reo),
    escalated: num(r.esc),
  };
}

function resolveRow(r: Pick<HistogramRow, 'techniqueId' | 'analyst' | 'bin' | 'n'>): SkillResolveRow {
  return { techniqueId: r.techniqueId, analyst: r.analyst ?? null, bin: binOrNull(r.bin), alerts: num(r.n) };
}

/**
 * Per technique (and analyst when `byAnalyst`) histograms and outcome counts for `analyseSkills`,
 * from the monthly histograms plus the edge days of the range; bounds that are not whole days fall
 * back to the facts (`skillAggregatesFromFacts`). Call `refreshLearningFacts` first.
 */
export async function skillAggregates(db: Db, options: SkillRequest): Promise<SkillAggregates> {
  const range = timeRange(options);
  const days = wholeDays(range);
  if (days === null) return skillAggregatesFromFacts(db, options);
  const byAnalyst = options.byAnalyst === true;
  const hist = await techniqueHistograms(db, days, byAnalyst);
  return {
    range,
    byAnalyst,
    triage: hist.filter((r) => r.metric === 'triage').map(triageRow),
    resolve: hist.filter((r) => r.metric === 'resolve').map(resolveRow),
    findings: await findingFacts(db, range),
  };
}

/**
 * Per technique (and analyst when `byAnalyst`) histograms and outcome counts for `analyseSkills`,
 * straight from the technique facts: the reference for the pre-aggregated path.
 */
export async function skillAggregatesFromFacts(db: Db, options: SkillRequest): Promise<SkillAggregates> {
  const range = timeRange(options);
  const byAnalyst = options.byAnalyst === true;
  const where = withinRange(range, 'created_at');
  const analyst = byAnalyst ? sql`assigned_to` : sql`null`;
  const groupAnalyst = byAnalyst ? sql`, assigned_to` : sql``;
  const triage = await sql<Omit<HistogramRow, 'metric'>>`
    select technique_id, ${analyst} as analyst, triage_bin as bin, count(*) as n, sum(misclassified) as mis, sum(benign_then_tp) as btp,
      sum(reopened) as reo, sum(escalated) as esc
    from learning_technique_facts where ${where} group by technique_id${groupAnalyst}, triage_bin`.execute(db);
  const resolve = await sql<Pick<HistogramRow, 'techniqueId' | 'analyst' | 'bin' | 'n'>>`
    select technique_id, ${analyst} as analyst, resolve_bin as bin, count(*) as n
    from learning_technique_facts where ${where} group by technique_id${groupAnalyst}, resolve_bin`.execute(db);
  return {
    range,
    byAnalyst,
    triage: triage.rows.map(triageRow),
    resolve: resolve.rows.map(resolveRow),
    findings: await findingFacts(db, range),
  };
}
