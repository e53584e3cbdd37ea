import type { Kysely, Migration } from 'kysely';

/**
 * The team's stored detection-rule inventory and what hangs off it: each rules import (a snapshot
 * of the rule repository) with what it added, changed and removed and how many techniques it
 * covered; the rules as the latest import left them; the techniques a detection-engineering action
 * item must cover and its verification state against the inventory; and the inferred techniques
 * analysts dismissed for an incident.
 */
export const ruleInventorySchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('rule_imports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('imported_at', 'text', (c) => c.notNull())
      .addColumn('imported_by', 'text', (c) => c.notNull())
      .addColumn('paths', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('rules', 'integer', (c) => c.notNull())
      .addColumn('added', 'integer', (c) => c.notNull())
      .addColumn('changed', 'integer', (c) => c.notNull())
      .addColumn('removed', 'integer', (c) => c.notNull())
      .addColumn('techniques_covered', 'integer', (c) => c.notNull())
      .addColumn('covered_techniques', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rule_imports_at_idx').on('rule_imports').column('imported_at').execute();

    await db.schema
      .createTable('rule_inventory')
      .addColumn('rule_id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('status', 'text')
      .addColumn('deprecated', 'integer', (c) => c.notNull())
      .addColumn('techniques', 'text', (c) => c.notNull())
      .addColumn('source_file', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('added_import_id', 'text', (c) => c.notNull().references('rule_imports.id'))
      .addColumn('changed_import_id', 'text', (c) => c.notNull().references('rule_imports.id'))
      .execute();

    await db.schema
      .createTable('rule_import_changes')
      .addColumn('import_id', 'text', (c) => c.notNull().references('rule_imports.id').onDelete('cascade'))
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('techniques', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('rule_import_changes_pk', ['import_id', 'rule_id'])
      .execute();

    await db.schema
      .createTable('action_item_detections')
      .addColumn('action_item_id', 'text', (c) => c.primaryKey().references('review_action_items.id').onDelete('cascade'))
      .addColumn('techniques', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text')
      .addColumn('import_id', 'text')
      .addColumn('checked_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('inference_dismissals')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .addColumn('dismissed_by', 'text', (c) => c.notNull())
      .addColumn('dismissed_at', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addPrimaryKeyConstraint('inference_dismissals_pk', ['incident_id', 'technique_id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['inference_dismissals', 'action_item_detections', 'rule_import_changes', 'rule_inventory', 'rule_imports']) await db.schema.dropTable(table).ifExists().execute();
  },
};
