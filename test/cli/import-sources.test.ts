import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attackBundle, pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { built, runCli, scratch } from './run.js';

const dir = scratch('hindsight-soc-');
const fixtures = join(__dirname, '..', 'fixtures', 'ingest');
const pg = await pgAvailable();
const schemas = pg.url ? postgresSchemas(pg.url, 'hs_import_sources') : undefined;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schemas?.dropAll();
});
const bundle = attackBundle();

let n = 0;
const targets = [
  { name: 'SQLite', available: true, reason: '', db: () => join(dir, `s${++n}.db`) },
  { name: 'PostgreSQL', available: Boolean(schemas), reason: pg.reason, db: () => schemas!.next() },
];

interface ImportJson {
  incidents: number;
  alerts: number;
  created: number;
  updated: number;
  unchanged: number;
  files: { file: string; format: string; formats: string[] }[];
  techniques: { seen: number; mapped: { id: string; to: string }[]; unknown: string[] };
}
interface Listed {
  source: string;
  sourceId: string;
  title: string;
  alertCount: number;
}

function importJson(args: string[], db: string, env: NodeJS.ProcessEnv = {}): { json: ImportJson; stderr: string } {
  const r = runCli(['import', ...args, '--db', db, '--json'], { cwd: dir, env });
  expect(r.status, r.stderr).toBe(0);
  return { json: JSON.parse(r.stdout) as ImportJson, stderr: r.stderr };
}
const listed = (db: string) => (JSON.parse(runCli(['incidents', '--db', db, '--json'], { cwd: dir }).stdout) as { incidents: Listed[] }).incidents;

/** The first `count` lines of an NDJSON fixture, as a file of its own. */
function head(file: string, count: number): string {
  const path = join(dir, `head-${count}-${file.replace(/\W/g, '_')}`);
  writeFileSync(path, readFileSync(join(fixtures, file), 'utf8').split('\n').slice(0, count).join('\n') + '\n');
  return path;
}

describe.runIf(requireOrSkip('built CLI (npm run build:server)', built, 'dist/cli/main.js is missing'))('hindsight import of SOC sources', () => {
  describe.each(targets)('on $name', (target) => {
    it.runIf(target.available)('groups Wazuh alerts stably: a re-import changes nothing, a later import extends the incident', () => {
      const db = target.db();
      const first = importJson([head('wazuh/alerts.json', 2)], db).json;
      expect(first).toMatchObject({ incidents: 1, alerts: 2, created: 1, updated: 0 });
      expect(first.files[0]).toMatchObject({ format: 'wazuh', formats: ['wazuh'] });
      const before = listed(db);
      expect(importJson([head('wazuh/alerts.json', 2)], db).json).toMatchObject({ incidents: 1, created: 0, updated: 0, unchanged: 1 });
      const extended = importJson([join(fixtures, 'wazuh/alerts.json')], db).json;
      expect(extended).toMatchObject({ incidents: 2, alerts: 4, created: 1, updated: 1 });
      const after = listed(db);
      expect(after).toHaveLength(2);
      const web = after.find((i) => i.sourceId === before[0]!.sourceId)!;
      expect(web).toMatchObject({ source: 'hindsight', alertCount: 3, title: 'sshd: brute force trying to get access to the system. Authentication failed.' });
      // The same alerts from the indexer's search response land in the same incidents.
      expect(importJson([join(fixtures, 'wazuh/search-response.json')], db).json).toMatchObject({ incidents: 2, created: 0 });
    });

    it.runIf(target.available)('imports every SOC format at once; --incident-title names one incident that later imports extend', () => {
      const db = target.db();
      const all = ['ocsf/detection-findings.ndjson', 'ocsf/incident-with-finding.json', 'wazuh/alerts.json', 'splunk/notables-rest.json', 'splunk/notables-export.ndjson'].map((f) => join(fixtures, f));
      const r = importJson(all, db).json;
      expect(r.files.map((f) => f.format)).toEqual(['ocsf', 'ocsf', 'wazuh', 'splunk', 'splunk']);
      expect(r.alerts).toBe(3 + 2 + 4 + 2 + 2);
      const titled = target.db();
      const one = importJson([head('splunk/notables-export.ndjson', 1), '--incident-title', 'Password spray March'], titled).json;
      expect(one).toMatchObject({ incidents: 1, created: 1 });
      const more = importJson([join(fixtures, 'splunk/notables-export.ndjson'), join(fixtures, 'wazuh/alerts.json'), '--incident-title', 'Password spray March'], titled).json;
      expect(more).toMatchObject({ incidents: 1, created: 0, updated: 1 });
      expect(listed(titled)).toEqual([expect.objectContaining({ title: 'Password spray March', alertCount: 6, source: 'hindsight' })]);
    });

    it.runIf(target.available)('refuses a malformed file of each format with exit 2, naming file, line and path, writing nothing', () => {
      const db = target.db();
      for (const [file, where] of [
        ['ocsf/malformed.ndjson', 'line 2: $.finding_info.created_time'],
        ['wazuh/malformed.ndjson', 'line 2: $.rule.level'],
        ['splunk/malformed.ndjson', 'line 2: $.result._time'],
      ] as const) {
        const r = runCli(['import', join(fixtures, 'wazuh/alerts.json'), join(fixtures, file), '--db', db], { cwd: dir });
        expect(r.status).toBe(2);
        // The progress line of the good file, then one line naming the fault.
        expect(r.stderr.trim().split('\n').at(-1)).toContain(`${join(fixtures, file)}: ${where}`);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(listed(db)).toEqual([]);
    });
  });

  it('refuses bad grouping options and formats with exit 2', () => {
    const db = join(dir, 'opts.db');
    const file = join(fixtures, 'wazuh/alerts.json');
    expect(runCli(['import', file, '--group-by', 'host,planet', '--db', db], { cwd: dir }).stderr).toMatch(/unknown field "planet"/);
    expect(runCli(['import', file, '--window', '2w', '--db', db], { cwd: dir }).status).toBe(2);
    expect(runCli(['import', file, '--format', 'qradar', '--db', db], { cwd: dir }).status).toBe(2);
    const forced = runCli(['import', file, '--format', 'ocsf', '--db', db], { cwd: dir });
    expect(forced.status).toBe(2);
    expect(forced.stderr).toMatch(/line 1: \$\.class_uid/);
  });

  it.runIf(requireOrSkip('ATT&CK 18.1 bundle', Boolean(bundle.path), bundle.reason))('keeps v19 technique IDs as sent, maps known moves back and reports the rest', () => {
    const db = join(dir, 'v19.db');
    const odd = join(dir, 'odd-technique.ndjson');
    const line = JSON.parse(readFileSync(join(fixtures, 'wazuh/alerts.json'), 'utf8').split('\n')[0]!) as { rule: { mitre: { id: string[] } } };
    line.rule.mitre.id = ['T1110.001', 'T1999.999'];
    writeFileSync(odd, JSON.stringify(line) + '\n');
    const { json, stderr } = importJson([join(fixtures, 'splunk/notables-export.ndjson'), odd], db, { HINDSIGHT_ATTACK_DATA: bundle.path! });
    expect(json.techniques.mapped).toEqual([{ id: 'T1685', to: 'T1562.001' }]);
    expect(json.techniques.unknown).toEqual(['T1999.999']);
    expect(stderr).toMatch(/technique T1685 is newer than ATT&CK 18\.1: read as T1562\.001/);
    expect(stderr).toMatch(/technique T1999\.999 is not in ATT&CK 18\.1: kept as sent/);
    // The layer of the incident holding T1685 shows it as T1562.001.
    const incident = listed(db).find((i) => i.title === 'Security Tool Disabled')!;
    const layer = runCli(['layer', incident.sourceId, '--db', db, '--attack', bundle.path!, '-o', join(dir, 'l.json')], { cwd: dir });
    expect(layer.status, layer.stderr).toBe(0);
    const techniques = (JSON.parse(readFileSync(join(dir, 'l.json'), 'utf8')) as { techniques: { techniqueID: string }[] }).techniques.map((t) => t.techniqueID);
    expect(techniques).toContain('T1562.001');
  });
});
