import type { Kysely, Migration } from 'kysely';

/**
 * Fewer indexes on the tables an import fills. Every index costs time on each of the hundreds of
 * thousands of rows a large import writes, most of all when its keys arrive in random order:
 *
 * - `entities (kind, key)` was read by no query;
 * - `alert_techniques (alert_id)` and `(technique_id)` give way to one index on `incident_id`, the
 *   way every reader and the importer find those rows (an alert's rows by incident and alert, the
 *   learning facts by incident); counts per technique read the whole table either way. Rows of
 *   one incident are written together, so this index grows at one place per incident rather than
 *   at a random place per row.
 */
export const importIndexesSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('entities_kind_key_idx').ifExists().execute();
    await db.schema.dropIndex('alert_techniques_alert_id_idx').ifExists().execute();
    await db.schema.dropIndex('alert_techniques_technique_id_idx').ifExists().execute();
    await db.schema.createIndex('alert_techniques_incident_id_idx').on('alert_techniques').column('incident_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('alert_techniques_incident_id_idx').ifExists().execute();
    await db.schema.createIndex('alert_techniques_technique_id_idx').on('alert_techniques').column('technique_id').execute();
    await db.schema.createIndex('alert_techniques_alert_id_idx').on('alert_techniques').column('alert_id').execute();
    await db.schema.createIndex('entities_kind_key_idx').on('entities').columns(['kind', 'key']).execute();
  },
};
