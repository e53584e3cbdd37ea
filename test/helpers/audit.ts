/**
 * For tests that prove a write and its audit entry are one transaction: a trigger that makes every
 * insert into audit_log fail (SQLite and PostgreSQL), and a dump of every table to compare before
 * and after a refused write.
 */
import { sql, type Kysely } from 'kysely';

export type StoreKind = 'sqlite' | 'postgres';

/** Makes every insert into audit_log fail with "audit refused by the test". */
export async function refuseAuditInserts<DB>(db: Kysely<DB>, kind: StoreKind): Promise<void> {
  if (kind === 'sqlite') {
    await sql`create trigger hs_test_refuse_audit before insert on audit_log begin select raise(abort, 'audit refused by the test'); end`.execute(db);
    return;
  }
  await sql`create or replace function hs_test_refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused by the test'; end $$`.execute(db);
  await sql`create trigger hs_test_refuse_audit before insert on audit_log for each row execute function hs_test_refuse_audit()`.execute(db);
}

export async function allowAuditInserts<DB>(db: Kysely<DB>, kind: StoreKind): Promise<void> {
  if (kind === 'sqlite') await sql`drop trigger hs_test_refuse_audit`.execute(db);
  else await sql`drop trigger hs_test_refuse_audit on audit_log`.execute(db);
}

/**
 * Every row of every table, as sorted JSON lines per table. Leaves out what changes on reads only:
 * sign-in sessions and when an API token was last used. Rows keep the database's own column names
 * whichever handle is given (the store's typed handle would camelCase them).
 */
export async function dumpTables<DB>(store: Kysely<DB>, kind: StoreKind): Promise<Record<string, string[]>> {
  const db = store.withoutPlugins();
  const tables =
    kind === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db)).rows.map((r) => r.name);
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    if (table === 'sessions') continue;
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
    out[table] = rows
      .map((row) => {
        const copy: Record<string, unknown> = { ...row };
        if (table === 'api_tokens') delete copy['last_used_at'];
        return JSON.stringify(copy, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
      })
      .sort();
  }
  return out;
}
