import type { Kysely, Migration } from 'kysely';

/**
 * Review tasks and review templates: the tasks of an incident's review (assignee: a username or
 * an e-mail address, due date YYYY-MM-DD, status, the template and task key they came from), and
 * the template each review follows with a snapshot of it as applied, so a later edit of the
 * template file never changes a review already under way. Every editable row carries a `version`.
 */
export const reviewTasksSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('review_tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('assignee', 'text')
      .addColumn('role', 'text')
      .addColumn('due_date', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('template_id', 'text')
      .addColumn('template_key', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('review_tasks_incident_idx').on('review_tasks').column('incident_id').execute();
    await db.schema.createIndex('review_tasks_assignee_idx').on('review_tasks').columns(['assignee', 'status']).execute();
    await db.schema.createIndex('review_tasks_status_due_idx').on('review_tasks').columns(['status', 'due_date']).execute();

    await db.schema
      .createTable('review_templates_applied')
      .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
      .addColumn('template_id', 'text', (c) => c.notNull())
      .addColumn('template_version', 'integer', (c) => c.notNull())
      .addColumn('chosen_by', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('review_templates_applied').ifExists().execute();
    await db.schema.dropTable('review_tasks').ifExists().execute();
  },
};
