/**
 * Store pieces the team server's read paths rely on: prepared statements kept by the SQLite
 * connection, reading an incident without its raw source JSON, and migration 0008 applied to a
 * store that already ran 0009 (the two were written side by side).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/app/import.js';
import { openStore } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { getIncident } from '../../src/store/incidents/index.js';
import { withStatementCache } from '../../src/store/statement-cache.js';
import { projectRoot } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-read-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite statement cache', () => {
  it('prepares a statement once per SQL text, keeps the most recent ones, and leaves long ones out', () => {
    const raw = new Database(':memory:');
    let prepared = 0;
    const counting = new Proxy(raw, {
      get(target, prop, receiver) {
        if (prop === 'prepare') return (text: string) => (prepared++, target.prepare(text));
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const db = withStatementCache(counting, 2);
    const a = db.prepare('select 1 as one');
    expect(db.prepare('select 1 as one')).toBe(a);
    expect(prepared).toBe(1);
    expect(a.all([])).toEqual([{ one: 1 }]);
    db.prepare('select 2');
    db.prepare('select 1 as one'); // most recently used again
    db.prepare('select 3'); // evicts "select 2"
    expect(prepared).toBe(3);
    db.prepare('select 1 as one');
    expect(prepared).toBe(3);
    db.prepare('select 2');
    expect(prepared).toBe(4);
    const long = `select ${'1 + '.repeat(600)}1 as n`;
    expect(db.prepare(long)).not.toBe(db.prepare(long));
    db.close();
    expect(raw.open).toBe(false);
  });
});

describe('reading an incident without its raw JSON', () => {
  it('gives every other field as the full read does, and raw nowhere', async () => {
    const store = await openStore({ db: ':memory:' });
    try {
      const { results } = await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json')], { env: {} });
      const id = results[0]?.id as string;
      const full = await getIncident(store.db, id);
      const lean = await getIncident(store.db, id, { raw: false });
      if (!full || !lean) throw new Error('not found');
      expect(full.raw).toBeDefined();
      expect(full.alerts.some((a) => a.raw !== undefined && a.evidence.some((e) => e.raw !== undefined))).toBe(true);
      const withoutRaw = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'raw' ? undefined : v)));
      expect(lean).toEqual(withoutRaw(full));
      expect(JSON.stringify(lean)).not.toContain('"raw"');
      expect(await getIncident(store.db, full.sourceId, { raw: false })).toEqual(lean);
    } finally {
      await store.close();
    }
  });
});

describe('migration order', () => {
  it('applies 0008 to a store that already ran the migrations after it, indexing the incidents it holds', async () => {
    const path = join(dir, 'order.db');
    const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(path) }) });
    const without = Object.fromEntries(Object.entries(migrations).filter(([name]) => !name.startsWith('0008-')));
    const first = await new Migrator({ db, provider: { getMigrations: async () => without } }).migrateToLatest();
    expect(first.error).toBeUndefined();
    expect(first.results?.map((r) => r.migrationName)).toContain('0009-import-indexes');
    await db.destroy();

    // A store with incidents, as it was before 0008: imported, then 0008 undone.
    let store = await openStore({ db: path });
    const { results } = await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json'), join(projectRoot, 'examples', 'identity-attack.json')], { env: {} });
    await migrations['0008-incident-search']?.down?.(store.db.withoutPlugins() as unknown as Kysely<unknown>);
    await sql`delete from kysely_migration where name like '0008-%'`.execute(store.db);
    await store.close();

    store = await openStore({ db: path });
    try {
      const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
      expect(ran.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
      const hits = await sql<{ incidentId: string }>`select k.incident_id from incident_search s join incident_search_keys k on k.docid = s.rowid where incident_search match ${'"ransomware"*'}`.execute(store.db);
      expect(hits.rows.map((r) => r.incidentId)).toEqual([results[0]?.id]);
      const all = await sql<{ n: number }>`select count(*) as n from incident_search`.execute(store.db);
      expect(Number(all.rows[0]?.n)).toBe(2);
    } finally {
      await store.close();
    }
  });
});
