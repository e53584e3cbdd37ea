import type { Kysely, Migration } from 'kysely';

/**
 * The audit trail's entries are sealed with a keyed MAC (HMAC-SHA-256) from here on: `key_id` names
 * the key of the file outside the database that sealed the entry. Entries written before keep
 * `key_id` NULL and their plain SHA-256 link; the first sealed entry covers their last hash.
 */
export const auditMacSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('audit_log').addColumn('key_id', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('audit_log').dropColumn('key_id').execute();
  },
};
