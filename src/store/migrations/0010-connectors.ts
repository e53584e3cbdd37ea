import type { Kysely, Migration } from 'kysely';

/**
 * Connectors to live incident sources (Defender XDR through Microsoft Graph, Sentinel through Azure
 * Resource Manager), their runs, and the lease that keeps one connector from running twice at
 * once. Portable like the rest of the schema: times are ISO-8601 text, booleans 0/1. The secret
 * is never stored, only where to read it.
 */
export const connectorsSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('connectors')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('secret_kind', 'text', (c) => c.notNull())
      .addColumn('secret_ref', 'text', (c) => c.notNull())
      .addColumn('cloud', 'text', (c) => c.notNull())
      .addColumn('graph_url', 'text')
      .addColumn('arm_url', 'text')
      .addColumn('login_url', 'text')
      .addColumn('subscription_id', 'text')
      .addColumn('resource_group', 'text')
      .addColumn('workspace', 'text')
      .addColumn('interval_minutes', 'integer', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('checkpoint', 'text')
      .addColumn('next_run_at', 'text')
      .execute();

    await db.schema
      .createTable('connector_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('connector_name', 'text', (c) => c.notNull().references('connectors.name').onDelete('cascade'))
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('ok', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('fetched', 'integer', (c) => c.notNull())
      .addColumn('created', 'integer', (c) => c.notNull())
      .addColumn('updated', 'integer', (c) => c.notNull())
      .addColumn('unchanged', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('connector_runs_connector_idx').on('connector_runs').columns(['connector_name', 'started_at']).execute();

    await db.schema
      .createTable('connector_leases')
      .addColumn('connector_name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['connector_leases', 'connector_runs', 'connectors']) await db.schema.dropTable(table).ifExists().execute();
  },
};
