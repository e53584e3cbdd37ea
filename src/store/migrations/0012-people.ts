import { sql, type Kysely, type Migration } from 'kysely';

/**
 * People as owners and recipients: an account has an e-mail address (from sign-in or the admin
 * screen), and a kind: a `person` signs in; a `service` account only holds API tokens.
 */
export const peopleSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').addColumn('email', 'text').execute();
    await db.schema
      .alterTable('users')
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo(sql`'person'`))
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').dropColumn('kind').execute();
    await db.schema.alterTable('users').dropColumn('email').execute();
  },
};
