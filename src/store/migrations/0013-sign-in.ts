import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Sign-in hardening: an account can be linked to an OpenID Connect identity (issuer + subject,
 * unique together), can be made to change its password at its next sign-in, and the transient
 * state of a single sign-on in progress (state, nonce, PKCE verifier) is kept server-side under
 * the sha256 of a cookie bound to the browser that started it, until it is used once or expires.
 */
export const signInSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').addColumn('oidc_issuer', 'text').execute();
    await db.schema.alterTable('users').addColumn('oidc_subject', 'text').execute();
    await db.schema
      .alterTable('users')
      .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(sql`0`))
      .execute();
    await db.schema.createIndex('users_oidc_identity_idx').on('users').columns(['oidc_issuer', 'oidc_subject']).unique().execute();

    await db.schema
      .createTable('sign_in_flows')
      // sha256 of the flow cookie's value.
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('code_verifier', 'text', (c) => c.notNull())
      .addColumn('return_to', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('sign_in_flows').ifExists().execute();
    await db.schema.dropIndex('users_oidc_identity_idx').ifExists().execute();
    await db.schema.alterTable('users').dropColumn('must_change_password').execute();
    await db.schema.alterTable('users').dropColumn('oidc_subject').execute();
    await db.schema.alterTable('users').dropColumn('oidc_issuer').execute();
  },
};
