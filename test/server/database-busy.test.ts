/**
 * The team server over a SQLite database another process holds locked: a write waits for the
 * busy timeout, then answers 503 with one line (nothing written), and reads go on answering.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { attackBundle, requireOrSkip } from '../helpers/env.js';
import { startHarness } from './harness.js';

const bundle = attackBundle();
const run = requireOrSkip('the ATT&CK bundle in ../shared/attack', bundle.path !== undefined, bundle.reason);

describe.runIf(run)('a busy SQLite database in the team server', () => {
  it('answers a write with 503 and one line once the busy timeout runs out, and still serves reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-busy-'));
    const file = join(dir, 'hindsight.db');
    const store = await openStore({ db: file, busyTimeoutMs: 300, env: {} });
    const h = await startHarness(store, bundle.path as string);
    const other = new Database(file);
    try {
      const detail = () => h.app.inject({ method: 'GET', url: `/api/incidents/${h.incidentId}`, headers: { authorization: `Bearer ${h.tokens.viewer}` } });
      const findingsOf = async () => ((await detail()).json() as { report: { findings?: unknown[] } }).report.findings;
      const before = await findingsOf();
      // Another process takes the write lock and keeps it.
      other.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const res = await h.app.inject({
        method: 'POST',
        url: `/api/incidents/${h.incidentId}/findings`,
        headers: { authorization: `Bearer ${h.tokens.analyst}` },
        payload: { category: 'technical-lapse', title: 'EDR in audit mode' },
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      const body = res.json() as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unavailable');
      expect(body.error.message).toMatch(/^the database is busy: the database stayed locked by another writer/);
      expect(body.error.message).not.toContain(dir);
      // Reads are not blocked by a writer.
      expect((await detail()).statusCode).toBe(200);
      other.exec('ROLLBACK');
      // Nothing was written; the same write now goes through.
      expect(await findingsOf()).toEqual(before);
      const again = await h.app.inject({
        method: 'POST',
        url: `/api/incidents/${h.incidentId}/findings`,
        headers: { authorization: `Bearer ${h.tokens.analyst}` },
        payload: { category: 'technical-lapse', title: 'EDR in audit mode' },
      });
      expect(again.statusCode).toBe(200);
      expect(await findingsOf()).toHaveLength((before?.length ?? 0) + 1);
    } finally {
      other.close();
      await h.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
