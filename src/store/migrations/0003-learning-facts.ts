import type { Kysely, Migration } from 'kysely';

/**
 * Learning across incidents (trends and skills): narrow fact tables derived from incidents, alerts,
 * alert_techniques and status_changes, so that a year of a large organisation's history (50,000
 * incidents, 1,000,000 alerts) aggregates in one scan of a small table instead of joins over wide
 * rows. They are a cache: `refreshLearningFacts` (store/learning/) rebuilds the facts of every
 * incident whose content hash changed, and nothing else writes them.
 *
 * Times are whole seconds; `*_bin` are log-scale histogram bins (4 per doubling, see
 * model/learning.ts `binOf`); bucket keys (`day` 2024-03-05, `week` 2024-W10, `month` 2024-03,
 * `quarter` 2024-Q1) are computed once from the UTC creation time.
 */
export const learningFactsSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('learning_incident_facts')
      .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('determination', 'text')
      .addColumn('alerts', 'integer', (c) => c.notNull())
      .addColumn('detect_bin', 'integer')
      .addColumn('ack_bin', 'integer')
      .addColumn('contain_bin', 'integer')
      .addColumn('resolve_bin', 'integer')
      .execute();
    await db.schema.createIndex('learning_incident_facts_created_idx').on('learning_incident_facts').column('created_at').execute();

    await db.schema
      .createTable('learning_alert_facts')
      .addColumn('alert_id', 'text', (c) => c.primaryKey().references('alerts.id').onDelete('cascade'))
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('determination', 'text')
      .addColumn('product', 'text')
      .addColumn('assigned_to', 'text')
      .addColumn('triage_bin', 'integer')
      .addColumn('resolve_bin', 'integer')
      .addColumn('misclassified', 'integer', (c) => c.notNull())
      .addColumn('benign_then_tp', 'integer', (c) => c.notNull())
      .addColumn('reopened', 'integer', (c) => c.notNull())
      .addColumn('escalated', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('learning_alert_facts_incident_idx').on('learning_alert_facts').column('incident_id').execute();
    await db.schema.createIndex('learning_alert_facts_created_idx').on('learning_alert_facts').column('created_at').execute();

    // One row per (alert, technique), with the alert's facts copied: per-technique aggregates scan one table.
    await db.schema
      .createTable('learning_technique_facts')
      // No foreign key to alerts: it would make every alert deletion search this table by alert_id.
      // Rows go with their incident (cascade below) and are rebuilt whenever the incident changes.
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addColumn('assigned_to', 'text')
      .addColumn('triage_bin', 'integer')
      .addColumn('resolve_bin', 'integer')
      .addColumn('misclassified', 'integer', (c) => c.notNull())
      .addColumn('benign_then_tp', 'integer', (c) => c.notNull())
      .addColumn('reopened', 'integer', (c) => c.notNull())
      .addColumn('escalated', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('learning_technique_facts_incident_idx').on('learning_technique_facts').column('incident_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['learning_technique_facts', 'learning_alert_facts', 'learning_incident_facts']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
