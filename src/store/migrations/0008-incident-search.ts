import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * What the team server reads on every incident list and detail, kept ready:
 *
 * 1. A full-text index of incident titles and descriptions, maintained by the database itself on
 *    every insert, update and delete of `incidents` (so imports need no change and pay a few
 *    microseconds per incident):
 *    - SQLite: an FTS5 table `incident_search` (unicode61 tokenizer, diacritics folded) whose rowid
 *      is the `docid` of `incident_search_keys` (an INTEGER PRIMARY KEY, stable under VACUUM,
 *      unlike the implicit rowid of `incidents`), kept by three triggers;
 *    - PostgreSQL: a GIN index on `to_tsvector('simple', title || ' ' || description)` (non-
 *      alphanumerics made spaces first), an expression index the planner uses for the same
 *      expression in a query (core PostgreSQL, no extension). The queries are in
 *      `store/incidents/search.ts` and `list.ts` (`searchTerms`, `matchesText`). An index on (id, severity, status,
 *      created_at) lets a search filter and order its matches without reading incident rows.
 * 2. `incident_attribution`: the attribution of each incident (the review's "Actors"), computed once
 *    per content of the incident, ATT&CK version and attribution code (`model`), so a review opened
 *    for the first time does not rank every ATT&CK group again. `input_key` is a digest of what
 *    attribution reads from the incident (techniques per alert, software names, activity window),
 *    `incident_version` the incident row's content hash and import time (to find stale rows).
 */
export const incidentSearchSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const postgres = isPostgres(db);
    if (postgres) {
      // Words are runs of letters and digits, as SQLite's unicode61 tokenizer sees them (the default
      // parser would keep `host.example.com` as one word).
      await sql`create index incidents_search_idx on incidents using gin (to_tsvector('simple', regexp_replace(coalesce(title, '') || ' ' || coalesce(description, ''), '[^[:alnum:]]+', ' ', 'g')))`.execute(db);
    } else {
      await sql`create table incident_search_keys (docid integer primary key, incident_id text not null unique)`.execute(db);
      await sql`create virtual table incident_search using fts5(title, description, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
      await sql`insert into incident_search_keys (incident_id) select id from incidents order by created_at, id`.execute(db);
      await sql`insert into incident_search (rowid, title, description) select k.docid, i.title, coalesce(i.description, '') from incident_search_keys k join incidents i on i.id = k.incident_id`.execute(db);
      await sql`
        create trigger incident_search_insert after insert on incidents begin
          insert into incident_search_keys (incident_id) values (new.id);
          insert into incident_search (rowid, title, description) values (last_insert_rowid(), new.title, coalesce(new.description, ''));
        end`.execute(db);
      await sql`
        create trigger incident_search_update after update of title, description on incidents begin
          delete from incident_search where rowid = (select docid from incident_search_keys where incident_id = old.id);
          insert into incident_search (rowid, title, description) values ((select docid from incident_search_keys where incident_id = new.id), new.title, coalesce(new.description, ''));
        end`.execute(db);
      await sql`
        create trigger incident_search_delete after delete on incidents begin
          delete from incident_search where rowid = (select docid from incident_search_keys where incident_id = old.id);
          delete from incident_search_keys where incident_id = old.id;
        end`.execute(db);
    }

    // A search finds its incidents by id and then filters and orders them: with these columns in the
    // index, no incident row (with its raw source JSON) is read until the page is chosen.
    await db.schema.createIndex('incidents_search_filter_idx').on('incidents').columns(['id', 'severity', 'status', 'created_at']).execute();

    await db.schema
      .createTable('incident_attribution')
      .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
      .addColumn('incident_version', 'text', (c) => c.notNull())
      .addColumn('input_key', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('actors', 'text', (c) => c.notNull())
      .addColumn('computed_at', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('incident_attribution').ifExists().execute();
    await db.schema.dropIndex('incidents_search_filter_idx').ifExists().execute();
    if (isPostgres(db)) {
      await sql`drop index if exists incidents_search_idx`.execute(db);
      return;
    }
    for (const trigger of ['incident_search_insert', 'incident_search_update', 'incident_search_delete']) await sql`drop trigger if exists ${sql.id(trigger)}`.execute(db);
    await sql`drop table if exists incident_search`.execute(db);
    await sql`drop table if exists incident_search_keys`.execute(db);
  },
};

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
