/**
 * Store pieces the team server's read paths rely on: prepared statements kept by the SQLite
 * connection, and reading an incident without its raw source JSON.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { importFiles } from '../../src/services/import-files.js';
import { openStore } from '../../src/store/index.js';
import { getIncident } from '../../src/store/read.js';
import { withStatementCache } from '../../src/store/statement-cache.js';
import { projectRoot } from '../helpers/env.js';

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
