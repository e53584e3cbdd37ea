import { sql, type Kysely } from 'kysely';
import type { ResponseMetric } from '../../model/learning.js';
import type { Database } from '../database.js';
import { LEARNING_AGGREGATE_TABLES } from '../migrations/0007-learning-aggregates.js';
import { weekStartSql } from './sql-fragments.js';

/**
 * Keeps the pre-aggregated day/week/month tables of migration 0007 in step with the fact tables of
 * 0003: a set of incidents' contribution is added (or subtracted) by upserts on every table's key,
 * and the whole lot can be re-aggregated from the facts. Every function runs inside the refresh's
 * transaction (`trx`).
 */

type Db = Kysely<Database>;

/** `select count(*) as n ...` (or any one-number query) as a number. */
export async function countOf(trx: Db, text: string): Promise<number> {
  return Number((await sql<{ n: unknown }>`${sql.raw(text)}`.execute(trx)).rows[0]?.n ?? 0);
}

/** Whether the aggregates count exactly the incidents that have facts (false after a removal). */
export async function aggregatesAddUp(trx: Db): Promise<boolean> {
  const counted = await countOf(trx, 'select coalesce(sum(incidents), 0) as n from learning_month_incidents');
  return counted === (await countOf(trx, 'select count(*) as n from learning_incident_facts'));
}

/** Empties the aggregate tables and aggregates every fact again. */
export async function reaggregateAll(trx: Db): Promise<void> {
  for (const t of LEARNING_AGGREGATE_TABLES) await sql`delete from ${sql.table(t.name)}`.execute(trx);
  await sql`delete from learning_technique_spans`.execute(trx);
  await addContribution(trx, 1, '1 = 1');
  await insertSpans(trx, '1 = 1');
}

/** The (incident, technique, day) rows of the pairs, among the incidents matching `where`, whose alerts fall on two or more days. */
export async function insertSpans(trx: Db, where: string): Promise<void> {
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

const RESPONSE_COLUMNS: [ResponseMetric, string][] = [
  ['detect', 'detect_bin'],
  ['acknowledge', 'ack_bin'],
  ['contain', 'contain_bin'],
  ['resolve', 'resolve_bin'],
];

/** A column of an aggregate upsert: its name and the select expression that fills it. */
type Column = [column: string, expression: string];

/**
 * Adds `sign` (1 or -1) times the contribution of the facts whose incident matches `where` to every
 * aggregate table, by upsert on the table's key. Distinct incidents per (day, technique) add up
 * across disjoint incident sets, so they are maintained the same way.
 */
export async function addContribution(trx: Db, sign: 1 | -1, where: string): Promise<void> {
  const upsert = async (table: string, columns: Column[], keyCount: number, valueCount: number, from: string, filter = where) => {
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
  const periods: { prefix: string; keys: Column[]; labels: Column[] }[] = [
    { prefix: 'learning_day', keys: [['day', 'day']], labels: [['week', 'week'], ['month', 'month'], ['quarter', 'quarter']] },
    { prefix: 'learning_week', keys: [['week_start', weekStartSql(trx, 'day')]], labels: [['week', 'week']] },
    { prefix: 'learning_month', keys: [['month', 'month']], labels: [['quarter', 'quarter']] },
  ];
  const outcome = (bin: string): Column[] => [
    ['bin', `coalesce(${bin}, -1)`],
    ['alerts', n('count(*)')],
    ['misclassified', n('sum(misclassified)')],
    ['benign_then_tp', n('sum(benign_then_tp)')],
    ['reopened', n('sum(reopened)')],
    ['escalated', n('sum(escalated)')],
  ];
  const breakdown: Column[] = [
    ['severity', 'severity'],
    ['classification', "coalesce(classification, '')"],
    ['determination', "coalesce(determination, '')"],
  ];
  for (const p of periods) {
    const k = p.keys.length;
    await upsert(`${p.prefix}_incidents`, [...p.keys, ...breakdown, ...p.labels, ['incidents', n('count(*)')]], k + 3, 1, 'learning_incident_facts');
    await upsert(`${p.prefix}_alerts`, [...p.keys, ...breakdown, ['product', "coalesce(product, '')"], ...p.labels, ['alerts', n('count(*)')]], k + 4, 1, 'learning_alert_facts');
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
