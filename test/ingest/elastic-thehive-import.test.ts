/**
 * End to end: `hindsight import` of Elastic Security and TheHive files, by --format and by
 * auto-detection, on SQLite and on PostgreSQL (one fresh schema per database used).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { built, examples, runCli, scratch } from '../cli/run.js';

const dir = scratch();
const pg = await pgAvailable();
const schemas = pg.url ? postgresSchemas(pg.url, 'hs_soc_import') : undefined;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schemas?.dropAll();
});
// The CLI runs block this worker (spawnSync): give its event loop a turn between tests, so the
// test runner's messages are answered on a busy machine.
beforeEach(() => new Promise<void>((resolve) => setTimeout(resolve, 10)));

const fixtures = join(__dirname, '..', 'fixtures', 'ingest');
const elasticCase = join(examples, 'elastic-case.json');
const elasticAlerts = join(examples, 'elastic-alerts.json');
const theHiveCase = join(examples, 'thehive-case.json');

interface Summary {
  incidents: number;
  alerts: number;
  created: number;
  updated: number;
  unchanged: number;
}
interface Listed {
  sourceId: string;
  source: string;
  status: string;
  severity: string;
  title: string;
}

let sqliteCount = 0;
const backends: { name: string; available: boolean; reason: string; db: () => string }[] = [
  { name: 'SQLite', available: true, reason: '', db: () => join(dir, `soc-${++sqliteCount}.db`) },
  { name: 'PostgreSQL', available: Boolean(schemas), reason: pg.reason, db: () => schemas!.next() },
];

const importJson = (args: string[], db: string) => {
  const r = runCli(['import', ...args, '--db', db, '--json'], { cwd: dir });
  expect(r.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
  expect(r.status).toBe(0);
  return { summary: JSON.parse(r.stdout) as Summary, stderr: r.stderr };
};
const listed = (db: string) => (JSON.parse(runCli(['incidents', '--db', db, '--json'], { cwd: dir }).stdout) as { incidents: Listed[] }).incidents;

for (const backend of backends) {
  describe.runIf(requireOrSkip('built CLI (npm run build:server)', built, 'dist/cli/main.js is missing') && requireOrSkip(backend.name, backend.available, backend.reason))(
    `import of Elastic Security and TheHive on ${backend.name}`,
    () => {
      // Two databases per backend (a fresh PostgreSQL schema costs its migrations): A for the
      // --format runs, TheHive and the refusals, B for auto-detection and grouping.
      const a = backend.db();
      const b = backend.db();

      it('imports an Elastic case with its alert documents (--format elastic); the alerts join the case; re-import changes nothing', () => {
        const first = importJson([elasticCase, elasticAlerts, '--format', 'elastic'], a);
        expect(first.summary).toMatchObject({ incidents: 1, alerts: 3, created: 1 });
        const again = importJson([elasticCase, elasticAlerts, '--format', 'elastic'], a);
        expect(again.summary).toMatchObject({ incidents: 1, alerts: 3, created: 0, updated: 0, unchanged: 1 });
        expect(listed(a)).toEqual([
          expect.objectContaining({ source: 'elastic-security', sourceId: '6a1f2e30-0b7c-11f1-a4d2-5f3e9c8b1d07', status: 'resolved', severity: 'critical' }),
        ]);
      });

      it('detects Elastic files by their shape: alerts first make the case incident partial, the case then completes it', () => {
        const alertsOnly = importJson([elasticAlerts], b);
        expect(alertsOnly.stderr).toMatch(/elastic-alerts\.json: elastic/);
        expect(alertsOnly.summary).toMatchObject({ incidents: 1, alerts: 3, created: 1 });
        const withCase = importJson([elasticCase], b);
        expect(withCase.summary).toMatchObject({ incidents: 1, created: 0, updated: 1 });
        expect(listed(b)).toEqual([expect.objectContaining({ title: 'Credential dumping on SRV-APP-07 followed by PsExec to the domain controller', status: 'resolved' })]);
      });

      it('groups standalone Elastic alerts by host and user, the same way again on re-import', () => {
        // One alert joins case b8f0e3a0 (not in this import: a partial incident of that id); the two
        // others are on different hosts and users and get incidents of their own.
        expect(importJson([join(fixtures, 'elastic', 'alerts-search.json')], b).summary).toMatchObject({ incidents: 3, alerts: 3, created: 3 });
        expect(importJson([join(fixtures, 'elastic', 'alerts-search.json')], b).summary).toMatchObject({ incidents: 3, created: 0, updated: 0, unchanged: 3 });
        expect(listed(b).map((i) => i.sourceId)).toContain('b8f0e3a0-f8a4-11f0-9c1e-3b9d5f0a6c21');
      });

      it('imports a TheHive case (auto-detected) and, with --format thehive, a query result holding an alert of another case', () => {
        const r = importJson([theHiveCase], a);
        expect(r.stderr).toMatch(/thehive-case\.json: thehive/);
        expect(r.summary).toMatchObject({ incidents: 1, alerts: 2, created: 1 });
        expect(importJson([join(fixtures, 'thehive', 'query-alerts.json'), '--format', 'thehive'], a).summary).toMatchObject({ incidents: 2, alerts: 2, created: 2 });
        const byId = new Map(listed(a).map((i) => [i.sourceId, i]));
        expect(byId.get('~73728104')).toMatchObject({ source: 'thehive', status: 'resolved', severity: 'critical' });
        expect(byId.get('~4264')).toMatchObject({ source: 'thehive' });
      });

      it('refuses malformed Elastic and TheHive files with exit 2, naming file and path, writing nothing', () => {
        const before = listed(a);
        const bad = runCli(['import', theHiveCase, join(fixtures, 'thehive', 'bad-severity.json'), '--db', a, '--json'], { cwd: dir });
        expect(bad.status).toBe(2);
        expect(bad.stdout).toBe('');
        expect(bad.stderr.trim().split('\n').filter((l) => l.startsWith('hindsight:'))).toEqual([
          `hindsight: ${join(fixtures, 'thehive', 'bad-severity.json')}: $.severity: expected a severity code 1-4, got the string "high"`,
        ]);
        const threat = runCli(['import', join(fixtures, 'elastic', 'bad-threat.json'), '--db', a], { cwd: dir });
        expect(threat.status).toBe(2);
        expect(threat.stderr).toContain('bad-threat.json: $["kibana.alert.rule.threat"][0].technique[0].id');
        expect(listed(a)).toEqual(before);
      });
    },
  );
}
