import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import { backfillObservables } from '../observables/backfill.js';

/**
 * Observables and shared intelligence (docs/observables.md, docs/intel.md):
 *
 * - `observables`: one row per normalised (type, value) across every incident, with its marks (IOC
 *   flag, own TLP marking or NULL to inherit the incidents', tags). The id is derived from type and
 *   value, so no index on the (possibly long) value is needed to find one.
 * - `observable_sightings`: where and when each was seen (incident, alert or NULL for one added by
 *   hand), one row per (observable, incident, alert).
 * - `incident_markings`: an incident's own TLP marking (none: AMBER).
 * - `intel_indicators` and `intel_terms`: indicators imported from STIX bundles and MISP events, and
 *   the comparisons of each that can be matched against observables (a cheap join at read time, so
 *   incidents imported later are matched without any work at import).
 *
 * The observables of incidents already stored are extracted from their entities here, once.
 */
export const observablesSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('observables')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('ioc', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('tlp', 'text')
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();

    await db.schema
      .createTable('observable_sightings')
      .addColumn('observable_id', 'text', (c) => c.notNull().references('observables.id').onDelete('cascade'))
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('alert_id', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .execute();
    // Two indexes, each row of an import paying for both: one sighting per (incident, alert, observable)
    // (a hand-added one, with no alert, once per incident), which also serves an incident's observables
    // and the replacement of an alert's; and observable first, for where a value was seen.
    await sql`create unique index observable_sightings_key on observable_sightings (incident_id, coalesce(alert_id, ''), observable_id)`.execute(db);
    await db.schema.createIndex('observable_sightings_observable_idx').on('observable_sightings').columns(['observable_id', 'incident_id']).execute();

    await db.schema
      .createTable('incident_markings')
      .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
      .addColumn('tlp', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('intel_indicators')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('pattern', 'text', (c) => c.notNull())
      .addColumn('pattern_type', 'text', (c) => c.notNull())
      .addColumn('evaluation', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('tlp', 'text')
      .addColumn('producer', 'text')
      .addColumn('source_file', 'text', (c) => c.notNull())
      .addColumn('valid_from', 'text')
      .addColumn('valid_until', 'text')
      .addColumn('labels', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('imported_at', 'text', (c) => c.notNull())
      .addColumn('imported_by', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('intel_terms')
      .addColumn('indicator_id', 'text', (c) => c.notNull().references('intel_indicators.id').onDelete('cascade'))
      .addColumn('clause', 'integer', (c) => c.notNull())
      .addColumn('term', 'integer', (c) => c.notNull())
      .addColumn('clause_size', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('observable_id', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('intel_terms_observable_idx').on('intel_terms').columns(['observable_id']).execute();
    await db.schema.createIndex('intel_terms_indicator_idx').on('intel_terms').columns(['indicator_id']).execute();

    await backfillObservables(db, db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite');
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['intel_terms', 'intel_indicators', 'incident_markings', 'observable_sightings', 'observables']) await db.schema.dropTable(table).ifExists().execute();
  },
};
