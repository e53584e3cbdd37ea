import type { Kysely, Migration } from 'kysely';

/**
 * The techniques a post-incident review confirmed for an incident, kept apart from those the
 * alerts carried: coverage compares the two to tell detected from missed. One row per
 * (incident, technique); confirming again updates who, when and the note.
 */
export const reviewConfirmedTechniquesSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('review_confirmed_techniques')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .addColumn('confirmed_by', 'text')
      .addColumn('confirmed_at', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addPrimaryKeyConstraint('review_confirmed_techniques_pk', ['incident_id', 'technique_id'])
      .execute();
    await db.schema.createIndex('review_confirmed_techniques_technique_idx').on('review_confirmed_techniques').column('technique_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('review_confirmed_techniques').ifExists().execute();
  },
};
