import type { Kysely, Migration } from 'kysely';

/** Tables and indexes of the first version; portable between SQLite and PostgreSQL. */
export const initialSchema: Migration = {
  // Rows of an alert's evidence, comments and status changes are found through their incident
  // (`incident_id = ? and alert_id = ?`), so those tables need no index of their own on alert_id:
  // every index costs time on each of the hundreds of thousands of rows one import writes.
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('incidents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('source_format', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('summary', 'text')
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('determination', 'text')
      .addColumn('assigned_to', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('web_url', 'text')
      .addColumn('redirect_incident_id', 'text')
      .addColumn('partial', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('raw', 'text')
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('imported_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('incidents_source_source_id_unique', ['source', 'source_id'])
      .execute();
    await db.schema.createIndex('incidents_created_at_idx').on('incidents').column('created_at').execute();
    await db.schema.createIndex('incidents_source_id_idx').on('incidents').column('source_id').execute();

    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('provider_alert_id', 'text')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('determination', 'text')
      .addColumn('category', 'text')
      .addColumn('service_source', 'text')
      .addColumn('detection_source', 'text')
      .addColumn('detector_id', 'text')
      .addColumn('product_name', 'text')
      .addColumn('assigned_to', 'text')
      .addColumn('actor_display_name', 'text')
      .addColumn('threat_display_name', 'text')
      .addColumn('threat_family_name', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('first_activity_at', 'text')
      .addColumn('last_activity_at', 'text')
      .addColumn('resolved_at', 'text')
      .addColumn('techniques', 'text', (c) => c.notNull())
      .addColumn('recommended_actions', 'text')
      .addColumn('web_url', 'text')
      .addColumn('raw', 'text')
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addUniqueConstraint('alerts_source_source_id_unique', ['source', 'source_id'])
      .execute();
    await db.schema.createIndex('alerts_incident_id_idx').on('alerts').column('incident_id').execute();

    await db.schema
      .createTable('alert_techniques')
      .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alert_techniques_technique_id_idx').on('alert_techniques').column('technique_id').execute();
    await db.schema.createIndex('alert_techniques_alert_id_idx').on('alert_techniques').column('alert_id').execute();

    await db.schema
      .createTable('entities')
      .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('ord', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('verdict', 'text')
      .addColumn('remediation_status', 'text')
      .addColumn('created_at', 'text')
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('source_type', 'text', (c) => c.notNull())
      .addColumn('raw', 'text')
      .execute();
    await db.schema.createIndex('entities_incident_id_idx').on('entities').column('incident_id').execute();
    await db.schema.createIndex('entities_kind_key_idx').on('entities').columns(['kind', 'key']).execute();

    await db.schema
      .createTable('comments')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('alert_id', 'text', (c) => c.references('alerts.id').onDelete('cascade'))
      .addColumn('ord', 'integer', (c) => c.notNull())
      .addColumn('author', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('comments_incident_id_idx').on('comments').column('incident_id').execute();

    await db.schema
      .createTable('status_changes')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('alert_id', 'text', (c) => c.references('alerts.id').onDelete('cascade'))
      .addColumn('ord', 'integer', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('from_value', 'text')
      .addColumn('to_value', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('by', 'text')
      .addColumn('origin', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('status_changes_incident_id_idx').on('status_changes').column('incident_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['status_changes', 'comments', 'entities', 'alert_techniques', 'alerts', 'incidents']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
