import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Learning across incidents, pre-aggregated: small tables derived from the fact tables of 0003, so
 * that `hindsight trends` and `hindsight skills` over a year of a large organisation read a few
 * thousand rows per query instead of scanning a million facts (docs/learning.md, "How the data is
 * prepared"). `refreshLearningFacts` (store/learning/) maintains them together with the facts:
 * for the incidents whose hash changed (or which were removed), it rebuilds the aggregate rows of
 * every day (and month) those incidents touch, before and after the change.
 *
 * Per day, ISO week (keyed by its Monday) and month; a range reads whole weeks or months from the
 * coarser tables and the days at its edges from the daily ones:
 *   learning_{day,week,month}_incidents (severity, classification, determination) -> incidents
 *   learning_{day,week,month}_alerts    (severity, classification, determination, product) -> alerts
 *   learning_{day,week,month}_response  (severity, metric, bin) -> incidents (response-time histograms)
 * Per day only (small): learning_day_techniques (technique) -> alerts, distinct incidents that day.
 * Technique histograms (no bucket, only a range): learning_{day,month}_technique_hist (technique,
 *   metric, bin) and learning_month_analyst_hist (technique, assignee, metric, bin) -> alerts and
 *   outcome counts.
 * learning_technique_spans (incident, technique, day): the pairs whose alerts fall on two or more
 *   days, to correct distinct-incident counts summed over days.
 *
 * Every aggregate row is keyed (primary key) so the refresh can add an incident set's contribution
 * with an upsert and subtract it the same way; absent values are stored as '' (text) and -1 (bins)
 * because key columns cannot be null. Rows whose count went to zero stay and are skipped by readers.
 * The existing facts are cleared so the next refresh builds everything.
 */
type Column = [name: string, type: 'text' | 'integer'];

const TEXT = (name: string): Column => [name, 'text'];
const INT = (name: string): Column => [name, 'integer'];
const OUTCOMES = ['alerts', 'misclassified', 'benign_then_tp', 'reopened', 'escalated'].map(INT);

/** Aggregate tables: name, key columns (primary key, first one indexed on its own), label columns, value columns. */
export const LEARNING_AGGREGATE_TABLES: { name: string; keys: Column[]; labels: Column[]; values: Column[] }[] = [];
const PERIODS: { prefix: string; keys: Column[]; labels: Column[] }[] = [
  { prefix: 'learning_day', keys: [TEXT('day')], labels: ['week', 'month', 'quarter'].map(TEXT) },
  { prefix: 'learning_week', keys: [TEXT('week_start')], labels: [TEXT('week')] },
  { prefix: 'learning_month', keys: [TEXT('month')], labels: [TEXT('quarter')] },
];
for (const p of PERIODS) {
  LEARNING_AGGREGATE_TABLES.push(
    { name: `${p.prefix}_incidents`, keys: [...p.keys, ...['severity', 'classification', 'determination'].map(TEXT)], labels: p.labels, values: [INT('incidents')] },
    { name: `${p.prefix}_alerts`, keys: [...p.keys, ...['severity', 'classification', 'determination', 'product'].map(TEXT)], labels: p.labels, values: [INT('alerts')] },
    { name: `${p.prefix}_response`, keys: [...p.keys, TEXT('severity'), TEXT('metric'), INT('bin')], labels: p.labels, values: [INT('incidents')] },
  );
}
LEARNING_AGGREGATE_TABLES.push(
  { name: 'learning_day_techniques', keys: [TEXT('day'), TEXT('technique_id')], labels: ['week', 'month', 'quarter'].map(TEXT), values: [INT('alerts'), INT('incidents')] },
  { name: 'learning_day_technique_hist', keys: [TEXT('day'), TEXT('technique_id'), TEXT('metric'), INT('bin')], labels: [], values: OUTCOMES },
  { name: 'learning_month_technique_hist', keys: [TEXT('month'), TEXT('technique_id'), TEXT('metric'), INT('bin')], labels: [], values: OUTCOMES },
  { name: 'learning_month_analyst_hist', keys: [TEXT('month'), TEXT('technique_id'), TEXT('analyst'), TEXT('metric'), INT('bin')], labels: [], values: OUTCOMES },
);

export const learningAggregatesSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const t of LEARNING_AGGREGATE_TABLES) {
      let create = db.schema.createTable(t.name);
      for (const [name, type] of [...t.keys, ...t.labels, ...t.values]) create = create.addColumn(name, type, (c) => c.notNull());
      await create.addPrimaryKeyConstraint(`${t.name}_pk`, t.keys.map(([name]) => name) as never[]).execute();
    }
    await db.schema
      .createTable('learning_technique_spans')
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('learning_technique_spans_pk', ['incident_id', 'technique_id', 'day'])
      .execute();
    await db.schema.createIndex('learning_technique_spans_day_idx').on('learning_technique_spans').column('day').execute();

    // Edge days of a range by assignee read the technique facts by day.
    await db.schema.createIndex('learning_technique_facts_day_idx').on('learning_technique_facts').column('day').execute();

    // Facts built before this migration have no aggregates: mark every incident for rebuilding.
    await sql`delete from learning_incident_facts`.execute(db);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('learning_technique_facts_day_idx').ifExists().execute();
    await db.schema.dropTable('learning_technique_spans').ifExists().execute();
    for (const t of [...LEARNING_AGGREGATE_TABLES].reverse()) await db.schema.dropTable(t.name).ifExists().execute();
  },
};
