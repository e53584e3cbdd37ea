import type { Kysely, Migration } from 'kysely';

/**
 * The team's playbook library (src/app/playbooks.ts, src/store/playbooks/library.ts): CACAO 2.0 playbooks, every version of
 * each kept whole, and the ATT&CK techniques each playbook's current version is linked to.
 * A version records who made it, why, and which incident (and review finding) drove it.
 * Portable between SQLite and PostgreSQL: timestamps are ISO-8601 text and JSON is text.
 */
export const playbookLibrarySchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('playbooks')
      // The CACAO playbook id (`playbook--<uuid>`).
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('current_version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('playbook_versions')
      .addColumn('playbook_id', 'text', (c) => c.notNull().references('playbooks.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      // The CACAO document as stored (JSON text).
      .addColumn('cacao', 'text', (c) => c.notNull())
      // SHA-256 of the canonical content (without `modified`) and the technique links.
      .addColumn('content_hash', 'text', (c) => c.notNull())
      // JSON array of ATT&CK technique IDs.
      .addColumn('techniques', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('driven_by_incident_id', 'text', (c) => c.references('incidents.id').onDelete('set null'))
      .addColumn('driven_by_finding_id', 'text')
      .addPrimaryKeyConstraint('playbook_versions_pk', ['playbook_id', 'version'])
      .execute();
    await db.schema.createIndex('playbook_versions_incident_idx').on('playbook_versions').column('driven_by_incident_id').execute();

    // Links of each playbook's CURRENT version.
    await db.schema
      .createTable('playbook_techniques')
      .addColumn('playbook_id', 'text', (c) => c.notNull().references('playbooks.id').onDelete('cascade'))
      .addColumn('technique_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('playbook_techniques_pk', ['playbook_id', 'technique_id'])
      .execute();
    await db.schema.createIndex('playbook_techniques_technique_idx').on('playbook_techniques').column('technique_id').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['playbook_techniques', 'playbook_versions', 'playbooks']) await db.schema.dropTable(table).ifExists().execute();
  },
};
