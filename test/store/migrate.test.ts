/** Migrations taken in turns by first opens, and a database from a newer Hindsight refused, on both databases. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { openStore } from '../../src/store/index.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const pg = await pgAvailable();
const targets: { name: string; next: () => string; migrationTable: string }[] = [{ name: 'SQLite', next: () => join(dir, `m${++files}.db`), migrationTable: 'kysely_migration' }];
if (requireOrSkip('PostgreSQL migration tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_migr');
  targets.push({ name: 'PostgreSQL', next: () => schemas.next(), migrationTable: 'kysely_migration' });
  afterAll(() => schemas.dropAll());
}

describe.each(targets)('migrations on $name', ({ next, migrationTable }) => {
  it('lets 10 first opens of a new database at once all succeed, migrating once', async () => {
    const db = next();
    const opened = await Promise.allSettled(Array.from({ length: 10 }, () => openStore({ db })));
    const failures = opened.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason));
    for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
    expect(failures).toEqual([]);
    const store = await openStore({ db });
    try {
      const rows = await sql<{ name: string }>`select name from ${sql.id(migrationTable)}`.execute(store.db);
      expect(new Set(rows.rows.map((r) => r.name)).size).toBe(rows.rows.length);
      expect(rows.rows.map((r) => r.name)).toContain('0011-audit-mac');
    } finally {
      await store.close();
    }
  });

  it('refuses a database migrated by a newer Hindsight, naming its schema', async () => {
    const db = next();
    const store = await openStore({ db });
    await sql`insert into ${sql.id(migrationTable)} (name, timestamp) values (${'0013-later'}, ${new Date().toISOString()})`.execute(store.db);
    await store.close();
    const refused = openStore({ db });
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(openStore({ db })).rejects.toThrow(/^this database was created by a newer version of Hindsight \(schema 13\); upgrade Hindsight$/);
  });
});
