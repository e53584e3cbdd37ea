import type { Kysely, Migration } from 'kysely';

/**
 * The post-incident review workflow: review state and sign-off, sections, lessons-learned
 * answers, hand-written timeline events and annotations of derived ones, findings, action items,
 * and the change history. Portable between SQLite and PostgreSQL: timestamps are ISO-8601 text,
 * JSON is text, booleans are integers 0/1. Every editable row carries a `version`.
 */
export const reviewWorkflowSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('reviews')
      .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('required_by', 'text')
      .addColumn('waiver_reason', 'text')
      .addColumn('submitted_by', 'text')
      .addColumn('submitted_at', 'text')
      .addColumn('approved_by', 'text')
      .addColumn('approved_at', 'text')
      .addColumn('sufficiency', 'text')
      .addColumn('sufficiency_notes', 'text')
      .addColumn('completeness_override', 'text')
      .addColumn('closed_at', 'text')
      .addColumn('closed_by', 'text')
      .addColumn('close_reason', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .addColumn('updated_at', 'text')
      .execute();
    await db.schema.createIndex('reviews_state_idx').on('reviews').column('state').execute();

    await db.schema
      .createTable('review_sections')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('section', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('review_sections_pk', ['incident_id', 'section'])
      .execute();

    await db.schema
      .createTable('review_answers')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('question_id', 'text', (c) => c.notNull())
      .addColumn('answer', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('review_answers_pk', ['incident_id', 'question_id'])
      .execute();

    await db.schema
      .createTable('review_timeline_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('phase', 'text')
      .addColumn('key_moment', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('actor', 'text')
      .addColumn('techniques', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('review_timeline_events_incident_idx').on('review_timeline_events').column('incident_id').execute();

    await db.schema
      .createTable('review_timeline_annotations')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('phase', 'text')
      .addColumn('key_moment', 'integer')
      .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('hidden_reason', 'text')
      .addColumn('note', 'text')
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('review_timeline_annotations_pk', ['incident_id', 'event_id'])
      .execute();

    await db.schema
      .createTable('review_findings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('contributing_factors', 'text', (c) => c.notNull())
      .addColumn('timeline_event_ids', 'text', (c) => c.notNull())
      .addColumn('techniques', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('accepted_risk', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('review_findings_incident_idx').on('review_findings').column('incident_id').execute();

    await db.schema
      .createTable('review_action_items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('finding_id', 'text', (c) => c.references('review_findings.id').onDelete('set null'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('owner', 'text')
      .addColumn('team', 'text')
      .addColumn('due_date', 'text')
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('wont_do_reason', 'text')
      .addColumn('closure_criteria', 'text')
      .addColumn('verified_by', 'text')
      .addColumn('verified_at', 'text')
      .addColumn('verification_method', 'text')
      .addColumn('verification_evidence', 'text')
      .addColumn('external_system', 'text')
      .addColumn('external_key', 'text')
      .addColumn('external_url', 'text')
      .addColumn('external_state', 'text')
      .addColumn('synced_at', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('review_action_items_incident_idx').on('review_action_items').column('incident_id').execute();
    await db.schema.createIndex('review_action_items_status_due_idx').on('review_action_items').columns(['status', 'due_date']).execute();
    await db.schema.createIndex('review_action_items_external_idx').on('review_action_items').columns(['external_system', 'external_key']).execute();

    await db.schema
      .createTable('review_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('review_changes_incident_idx').on('review_changes').columns(['incident_id', 'id']).execute();
    await db.schema.createIndex('review_changes_entity_idx').on('review_changes').columns(['entity_type', 'entity_id']).execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['review_changes', 'review_action_items', 'review_findings', 'review_timeline_annotations', 'review_timeline_events', 'review_answers', 'review_sections', 'reviews']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
