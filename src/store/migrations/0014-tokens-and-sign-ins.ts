import { sql, type Kysely, type Migration } from 'kysely';

/**
 * API tokens carry a scope (`read`, `write` or `admin`, never more than their owner's role at each
 * request), an expiry, and why they were revoked (by hand, password change, owner disabled). Tokens
 * that exist before this migration keep their owner's full role (scope `admin`, capped by the role)
 * and expire 90 days after the migration, so automation keeps working until it is rotated. The
 * audit trail gets indexes for the filters of the audit browser (action, time). A token an admin made
 * through the API for another person (before only owners could) is revoked here: no token that
 * lets one person act as another survives the upgrade.
 */
export const tokensAndSignInsSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('api_tokens')
      .addColumn('scope', 'text', (c) => c.notNull().defaultTo(sql`'admin'`))
      .execute();
    await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
    await db.schema.alterTable('api_tokens').addColumn('revoked_reason', 'text').execute();
    const expiresAt = new Date(Date.now() + 90 * 24 * 60 * 60 * 1000).toISOString();
    await sql`update api_tokens set expires_at = ${expiresAt} where expires_at is null`.execute(db);
    await revokeTokensIssuedForOthers(db, new Date().toISOString());
    await db.schema.createIndex('audit_log_action').on('audit_log').column('action').execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema.createIndex('audit_log_actor').on('audit_log').column('actor').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('audit_log_actor').execute();
    await db.schema.dropIndex('audit_log_at').execute();
    await db.schema.dropIndex('audit_log_action').execute();
    await db.schema.alterTable('api_tokens').dropColumn('revoked_reason').execute();
    await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
    await db.schema.alterTable('api_tokens').dropColumn('scope').execute();
  },
};

/**
 * Revokes the live tokens whose `token.create` entry names an actor other than their owner, unless
 * the owner is a service account or the actor was the operator's command line (`cli:...`): the
 * tokens an admin made through the API to act as someone else. Returns how many were revoked.
 */
export async function revokeTokensIssuedForOthers(db: Kysely<unknown>, at: string): Promise<number> {
  const result = await sql`
    update api_tokens set revoked_at = ${at}, revoked_reason = 'issued-for-another'
    where revoked_at is null and exists (
      select 1 from audit_log a, users u
      where u.id = api_tokens.user_id and a.action = 'token.create' and a.entity_id = api_tokens.id
        and a.actor <> u.username and a.actor not like 'cli:%' and u.kind <> 'service')`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
