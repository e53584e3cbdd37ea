import { copyFileSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';
import { built, examples, runCli, scratch } from './run.js';

const dir = scratch();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'h.db');
const bundle = attackBundle();

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing'))('hindsight import and incidents', () => {
  const files = ['phishing-credential-theft.json', 'identity-attack.json', 'ransomware.json', 'm365d-incidents.json'].map((f) => join(examples, f));

  it('imports the examples, then re-importing changes nothing', () => {
    const first = runCli(['import', ...files, '--db', db, '--json'], { cwd: dir });
    expect(first.stderr).toContain('ransomware.json: graph, 1 incident(s), 11 alert(s)');
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ incidents: 5, alerts: 23, created: 5, updated: 0, unchanged: 0 });
    const again = runCli(['--db', db, 'import', ...files, '--json'], { cwd: dir });
    expect(JSON.parse(again.stdout)).toMatchObject({ incidents: 5, alerts: 23, created: 0, updated: 0, unchanged: 5 });
  });

  it('updates an incident when a newer lastUpdateDateTime arrives, and records the change', () => {
    const page = JSON.parse(readFileSync(join(examples, 'identity-attack.json'), 'utf8')) as { value: Record<string, unknown>[] };
    const incident = page.value[0] as Record<string, unknown>;
    incident.status = 'resolved';
    incident.lastUpdateDateTime = '2026-03-09T12:00:00Z';
    const newer = join(dir, 'identity-newer.json');
    writeFileSync(newer, JSON.stringify(page));
    const r = runCli(['import', newer, '--db', db, '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout)).toMatchObject({ incidents: 1, created: 0, updated: 1, unchanged: 0 });
    const list = JSON.parse(runCli(['incidents', '--db', db, '--json'], { cwd: dir }).stdout) as { incidents: { sourceId: string; status: string }[] };
    expect(list.incidents.find((i) => i.sourceId === '39544')?.status).toBe('resolved');
  });

  it('refuses a malformed file with exit 2, naming file and line, and writes nothing from any file', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "value": [\n    { "id": "1", }\n  ]\n}\n');
    const fresh = join(dir, 'fresh.db');
    const r = runCli(['import', join(examples, 'ransomware.json'), broken, '--db', fresh, '--json'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/broken\.json:3:\d+: invalid JSON/);
    const list = JSON.parse(runCli(['incidents', '--db', fresh, '--json'], { cwd: dir }).stdout) as { incidents: unknown[] };
    expect(list.incidents).toEqual([]);
  });

  it('refuses a record that breaks the schema with the JSON path at fault', () => {
    const page = JSON.parse(readFileSync(join(examples, 'ransomware.json'), 'utf8')) as { value: { alerts: Record<string, unknown>[] }[] };
    (page.value[0]?.alerts[2] as Record<string, unknown>).createdDateTime = 'not a time';
    const bad = join(dir, 'bad-schema.json');
    writeFileSync(bad, JSON.stringify(page));
    const r = runCli(['import', bad, '--db', db], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('bad-schema.json: $.value[0].alerts[2].createdDateTime');
  });

  it('lists incidents with the database path, filtered by --since', () => {
    const text = runCli(['incidents', '--db', db], { cwd: dir });
    expect(text.stdout).toContain(`Database: ${db}`);
    const since = JSON.parse(runCli(['incidents', '--since', '2026-02-01', '--db', db, '--json'], { cwd: dir }).stdout) as { database: string; incidents: { sourceId: string }[] };
    expect(since.database).toBe(db);
    expect(since.incidents.map((i) => i.sourceId).sort()).toEqual(['39544', '41873']);
    expect(runCli(['incidents', '--since', 'last tuesday', '--db', db], { cwd: dir }).status).toBe(2);
  });

  it('says which incident is unknown', () => {
    const r = runCli(['review', 'no-such-incident', '--db', db, '--attack', bundle.path ?? 'missing.json'], { cwd: dir });
    expect(r.status).toBe(2);
  });
});

describe.runIf(
  requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing') &&
    requireOrSkip('ATT&CK 18.1 bundle', Boolean(bundle.path), bundle.reason),
)('hindsight review, layer and demo on the real ATT&CK 18.1', () => {
  const attack = bundle.path as string;

  it('reviews the ransomware example by Defender id and by Hindsight id, in Markdown and JSON', () => {
    const md = runCli(['review', '41873', '--db', db, '--attack', attack], { cwd: dir });
    expect(md.status).toBe(0);
    expect(md.stdout).toContain('# Post-incident review: Human-operated ransomware attack on multiple endpoints (BlackFabric)');
    for (const section of ['## Summary', '## Response timings', '## Sequence of events', '## ATT&CK techniques by tactic', '## Entities involved']) {
      expect(md.stdout).toContain(section);
    }
    expect(md.stdout).toContain('**T1003.001** OS Credential Dumping: LSASS Memory');
    expect(md.stdout).toContain('## Actors');
    expect(md.stdout).toContain('## Detection');
    expect(md.stdout).toMatch(/\| T1486 Data Encrypted for Impact \| Ransomware encryption activity detected \| {2}\| n\/a \|/);
    const tactics = [...md.stdout.matchAll(/^### (.+) \((TA\d{4})\)$/gm)].map((m) => m[2]);
    expect(tactics[0]).toBe('TA0001');
    expect(tactics.at(-1)).toBe('TA0040');

    const json = JSON.parse(runCli(['review', '41873', '--format', 'json', '--db', db, '--attack', attack], { cwd: dir }).stdout) as {
      incident: { id: string };
      timeline: { at: string }[];
      timings: { timeToDetect: { seconds: number } };
      techniques: { techniqueIds: string[] };
    };
    expect(json.techniques.techniqueIds).toContain('T1486');
    expect(json.timings.timeToDetect.seconds).toBeGreaterThan(0);
    const times = json.timeline.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    const byId = runCli(['review', json.incident.id, '--json', '--db', db, '--attack', attack], { cwd: dir });
    expect((JSON.parse(byId.stdout) as { incident: { id: string } }).incident.id).toBe(json.incident.id);
  });

  it('counts rules per technique and shows what the review confirmed without an alert as missed', () => {
    const confirm = runCli(['coverage', 'confirm', '41873', 'T1059.003', '--db', db, '--attack', attack], { cwd: dir });
    expect(confirm.status).toBe(0);
    const rules = join(projectRoot, 'test', 'fixtures', 'rules', 'sigma', 'proc_creation_win_powershell_encoded_cmd.yml');
    const json = JSON.parse(runCli(['review', '41873', '--json', '--rules', rules, '--db', db, '--attack', attack], { cwd: dir }).stdout) as {
      detection: { missed: number; rulesSource: string; techniques: { id: string; missed: boolean; rules: number | null; detectedBy: unknown[] }[] };
    };
    expect(json.detection.rulesSource).toMatch(/^1 rule from /);
    expect(json.detection.techniques.find((t) => t.id === 'T1059.003')).toMatchObject({ missed: true, detectedBy: [] });
    expect(json.detection.techniques.find((t) => t.id === 'T1059.001')).toMatchObject({ missed: false, rules: 1 });
    expect(json.detection.techniques.find((t) => t.id === 'T1486')?.rules).toBe(0);
    expect(json.detection.missed).toBe(1);
  });

  it('writes a Navigator 4.5 layer for one incident and for all', () => {
    const out = join(dir, 'layer.json');
    const r = runCli(['layer', '41873', '-o', out, '--db', db, '--attack', attack, '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    const layer = JSON.parse(readFileSync(out, 'utf8')) as { versions: Record<string, string>; domain: string; techniques: { techniqueID: string; tactic: string; score?: number }[]; metadata: { name: string; value: string }[] };
    expect(layer.versions).toMatchObject({ attack: '18', layer: '4.5' });
    expect(layer.domain).toBe('enterprise-attack');
    expect(layer.techniques.find((t) => t.techniqueID === 'T1486')).toMatchObject({ tactic: 'impact', score: 1 });
    expect(layer.metadata[0]?.value).toContain('41873');
    const all = JSON.parse(runCli(['layer', '--all', '--db', db, '--attack', attack], { cwd: dir }).stdout) as { techniques: { techniqueID: string; score?: number }[]; metadata: unknown[] };
    expect(all.metadata).toHaveLength(5);
    expect(all.techniques.length).toBeGreaterThan(layer.techniques.length);
    expect(runCli(['layer', '--db', db, '--attack', attack], { cwd: dir }).status).toBe(2);
  });

  it('attributes an incident from its techniques and the software its evidence names, and refuses unknown names', () => {
    const r = runCli(['attribute', '--incident', '41873', '--json', '--db', db, '--attack', attack], { cwd: dir });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { observed: { software: { id: string }[] }; candidates: { id: string; confidence: string; evidence: { sharedSoftware: unknown[] } }[]; verdict: { attributed: boolean } };
    expect(out.observed.software.map((s) => s.id)).toEqual(expect.arrayContaining(['S0002', 'S0154', 'S0029']));
    expect(out.candidates.length).toBeGreaterThan(0);
    expect(out.candidates[0]?.evidence.sharedSoftware.length).toBeGreaterThan(0);
    const thin = JSON.parse(runCli(['attribute', '--techniques', 'T1059.001,T1566.001', '--json', '--attack', attack], { cwd: dir }).stdout) as { verdict: { attributed: boolean; statement: string } };
    expect(thin.verdict.attributed).toBe(false);
    expect(thin.verdict.statement).toMatch(/no confident attribution/i);
    const bad = runCli(['attribute', '--techniques', 'T1086,T9999', '--software', 'NoSuchTool', '--attack', attack], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('technique T9999');
    expect(bad.stderr).toContain('software NoSuchTool');
    const review = runCli(['review', '41873', '--db', db, '--attack', attack], { cwd: dir });
    expect(review.stdout).toContain('## Actors');
  });

  it('links two incidents of the same activity into a cluster, naming the shared indicators', () => {
    const page = JSON.parse(readFileSync(join(examples, 'phishing-credential-theft.json'), 'utf8')) as { value: Record<string, unknown>[] };
    const text = JSON.stringify(page).replaceAll('"38210"', '"38299"').replace(/"id":"(da[^"]+)"/g, '"id":"$1-again"');
    const again = join(dir, 'phishing-again.json');
    writeFileSync(again, text);
    expect(runCli(['import', again, '--db', db], { cwd: dir }).status).toBe(0);
    const r = runCli(['attribute', '--clusters', '--json', '--db', db, '--attack', attack], { cwd: dir });
    const out = JSON.parse(r.stdout) as { clusters: { incidents: string[]; sharedIndicators: { type: string }[] }[] };
    expect(out.clusters).toHaveLength(1);
    expect(out.clusters[0]?.incidents).toHaveLength(2);
    expect(out.clusters[0]?.sharedIndicators.length).toBeGreaterThan(0);
    const readable = runCli(['attribute', '--clusters', '--db', db, '--attack', attack], { cwd: dir });
    expect(readable.stdout).toContain('Cluster 1 (2 incidents)');
    expect(readable.stdout).toContain('38299');
  });

  it('demo imports the examples, prints the ransomware review and writes the layer', () => {
    const demoDir = scratch('hindsight-demo-');
    try {
      copyFileSync(attack, join(demoDir, 'attack.json.gz'));
      const r = runCli(['demo'], { cwd: demoDir, env: { HINDSIGHT_ATTACK_DATA: join(demoDir, 'attack.json.gz') } });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('# Post-incident review: Human-operated ransomware attack');
      expect(r.stdout).toContain(`Database:        ${join(demoDir, 'hindsight.db')}`);
      expect(existsSync(join(demoDir, 'hindsight-demo-layer.json'))).toBe(true);
      const again = runCli(['demo', '--json'], { cwd: demoDir, env: { HINDSIGHT_ATTACK_DATA: join(demoDir, 'attack.json.gz') } });
      const summary = (JSON.parse(again.stdout) as { import: { created: number; updated: number; unchanged: number } }).import;
      expect(summary).toMatchObject({ created: 0, updated: 0 });
      expect(summary.unchanged).toBeGreaterThanOrEqual(5);
    } finally {
      rmSync(demoDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing'))('dates and values the command line refuses', () => {
  it('refuses a date that is not on the calendar and an unknown status with exit 2 and one line', () => {
    const cases: [string[], RegExp][] = [
      [['incidents', '--since', '2026-02-30'], /^hindsight: --since must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, not "2026-02-30"\n$/],
      [['trends', '--from', '2026-04-31', '--json'], /--from must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, not "2026-04-31"\n$/],
      [['actions', 'list', '--status', 'finished'], /--status must be one of open, in-progress, done, verified, wont-do, not "finished"\n$/],
    ];
    for (const [args, message] of cases) {
      const r = runCli([...args, '--db', join(dir, 'dates.db')], { cwd: dir });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});
