import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Learning across incidents, pre-aggregated: small tables derived from the fact tables of 0003, so
 * that `hindsight trends` and `hindsight skills` over a year of a large organisation read a few
 * thousand rows per query instead of scanning a million facts (docs/learning.md, "How the data is
 * prepared"). `refreshLearningFacts` (store/analytics.ts) maintains them together with the facts:
 * for the incidents whose hash changed (or which were removed), it rebuilds the aggregate rows of
 * every day (and month) those incidents touch, before and after the change.
 *
 * Per day (with the day's ISO week, month and quarter copied so buckets are a GROUP BY):
 *   learning_day_incidents   (severity, classification, determination) -> incidents
 *   learning_day_alerts      (severity, classification, determination, product) -> alerts
 *   learning_day_response    (severity, metric, bin) -> incidents (response-time histograms)
 *   learning_day_techniques  (technique_id) -> alerts, distinct incidents that day
 *   learning_day_technique_hist (technique_id, metric, bin) -> alerts and outcome counts
 * Per month (whole months of a range; the rest of the range reads the daily rows):
 *   learning_month_technique_hist, learning_month_analyst_hist (the latter by assignee as well)
 * Bookkeeping:
 *   learning_technique_spans (incident, technique, day) for the pairs whose alerts fall on two or
 *     more days, to correct distinct-incident counts summed over days;
 *   learning_fact_days (incident, day): the days each incident contributed to, so a removed
 *     incident's days are known after its facts are gone.
 *
 * Aggregates carry no keys (classification and bins may be null) and no foreign keys: they are a
 * cache, rebuilt by day. The existing facts are cleared so the next refresh builds everything.
 */
export const learningAggregatesSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('learning_day_incidents')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('determination', 'text')
      .addColumn('incidents', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('learning_day_incidents_day_idx').on('learning_day_incidents').column('day').execute();

    await db.schema
      .createTable('learning_day_alerts')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('determination', 'text')
      .addColumn('product', 'text')
      .addColumn('alerts', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('learning_day_alerts_day_idx').on('learning_day_alerts').column('day').execute();

    await db.schema
      .createTable('learning_day_response')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('bin', 'integer', (c) => c.notNull())
      .addColumn('incidents', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('learning_day_response_day_idx').on('learning_day_response').column('day').execute();

    await db.schema
      .createTable('learning_day_techniques')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .addColumn('alerts', 'integer', (c) => c.notNull())
      .addColumn('incidents', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('learning_day_techniques_day_idx').on('learning_day_techniques').column('day').execute();

    await db.schema
      .createTable('learning_technique_spans')
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('learning_technique_spans_day_idx').on('learning_technique_spans').column('day').execute();
    await db.schema.createIndex('learning_technique_spans_incident_idx').on('learning_technique_spans').column('incident_id').execute();

    for (const [table, period] of [
      ['learning_day_technique_hist', 'day'],
      ['learning_month_technique_hist', 'month'],
    ] as const) {
      await db.schema
        .createTable(table)
        .addColumn(period, 'text', (c) => c.notNull())
        .addColumn('technique_id', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('bin', 'integer')
        .addColumn('alerts', 'integer', (c) => c.notNull())
        .addColumn('misclassified', 'integer', (c) => c.notNull())
        .addColumn('benign_then_tp', 'integer', (c) => c.notNull())
        .addColumn('reopened', 'integer', (c) => c.notNull())
        .addColumn('escalated', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex(`${table}_${period}_idx`).on(table).column(period).execute();
    }

    await db.schema
      .createTable('learning_month_analyst_hist')
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .addColumn('analyst', 'text')
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('bin', 'integer')
      .addColumn('alerts', 'integer', (c) => c.notNull())
      .addColumn('misclassified', 'integer', (c) => c.notNull())
      .addColumn('benign_then_tp', 'integer', (c) => c.notNull())
      .addColumn('reopened', 'integer', (c) => c.notNull())
      .addColumn('escalated', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('learning_month_analyst_hist_month_idx').on('learning_month_analyst_hist').column('month').execute();

    await db.schema
      .createTable('learning_fact_days')
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('learning_fact_days_pk', ['incident_id', 'day'])
      .execute();

    // Rebuilding a day (or the edge days of a range) reads the facts by day.
    await db.schema.createIndex('learning_incident_facts_day_idx').on('learning_incident_facts').column('day').execute();
    await db.schema.createIndex('learning_alert_facts_day_idx').on('learning_alert_facts').column('day').execute();
    await db.schema.createIndex('learning_technique_facts_day_idx').on('learning_technique_facts').column('day').execute();

    // Facts built before this migration have no aggregates: mark every incident for rebuilding.
    await sql`delete from learning_incident_facts`.execute(db);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const index of ['learning_incident_facts_day_idx', 'learning_alert_facts_day_idx', 'learning_technique_facts_day_idx']) {
      await db.schema.dropIndex(index).ifExists().execute();
    }
    for (const table of [
      'learning_fact_days',
      'learning_month_analyst_hist',
      'learning_month_technique_hist',
      'learning_day_technique_hist',
      'learning_technique_spans',
      'learning_day_techniques',
      'learning_day_response',
      'learning_day_alerts',
      'learning_day_incidents',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
