import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elasticFormat } from '../../src/ingest/elastic.js';
import { parseFile, parseText } from '../../src/ingest/index.js';
import type { MappedRecord } from '../../src/ingest/formats.js';
import { AlertSchema, IncidentSchema, type Incident } from '../../src/model/incident.js';
import { expectClaimsNoOtherRecord, fixtures, mapFile, recordsOf, refusal } from './elastic-helpers.js';

const fx = (name: string) => join(fixtures, 'elastic', name);
const alertsOf = (records: MappedRecord[]) => records.flatMap((r) => (r.kind === 'alert' ? [r] : []));
const incidentsOf = (records: MappedRecord[]) => records.flatMap((r) => (r.kind === 'incident' ? [r.incident] : []));

describe('Elastic Security detection alerts', () => {
  const records = mapFile(elasticFormat, fx('alerts-search.json'));
  const [flat, nested, mixed] = alertsOf(records);

  it('reads each hit of a search response as one standalone alert of source elastic-security', () => {
    expect(records).toHaveLength(3);
    expect(alertsOf(records).map((r) => [r.source, r.sourceFormat, r.alert.sourceId.slice(0, 8)])).toEqual([
      ['elastic-security', 'elastic', '4f5a0d2e'],
      ['elastic-security', 'elastic', '9a8b7c6d'],
      ['elastic-security', 'elastic', 'c3d2e1f0'],
    ]);
  });

  it('maps a flattened-key alert: rule as title and detector, workflow status and its change, ATT&CK from kibana.alert.rule.threat', () => {
    const a = flat!.alert;
    expect(a.title).toBe('Suspicious PowerShell Launched by Office Application');
    expect(a.detectorId).toBe('a624863f-a70d-417f-a7d2-7a404638d47f');
    expect(a.detectionSource).toBe('eql');
    expect(a.productName).toBe('Elastic Security');
    expect(a.severity).toBe('high');
    expect(a.status).toBe('inProgress');
    expect(a.createdAt).toBe('2026-03-02T09:14:07.512Z');
    expect(a.updatedAt).toBe('2026-03-02T09:41:55.003Z');
    expect(a.firstActivityAt).toBe('2026-03-02T09:13:58.211Z');
    expect(a.providerAlertId).toBe('MzQ4NTg3OjE2Mzk5Mg');
    expect(a.description).toMatch(/^process event with process powershell\.exe/);
    expect(a.recommendedActions).toMatch(/Triage and analysis/);
    expect(a.webUrl).toMatch(/^https:\/\/kibana\.example\.org\/app\/security\/alerts\/redirect\//);
    expect(a.techniques).toEqual(['T1059', 'T1059.001', 'T1566', 'T1566.001']);
    expect(a.category).toBe('Execution');
    expect(a.assignedTo).toBe('u_mGBROF_q5bmFCATbLXAcCwKa0k8JvONAwSruelyKA5E_0');
    expect(a.statusHistory.filter((h) => h.field === 'status').map((h) => [h.from, h.to, h.at, h.by])).toEqual([
      [null, 'new', '2026-03-02T09:14:07.512Z', null],
      ['new', 'inProgress', '2026-03-02T09:41:55.003Z', 'u_mGBROF_q5bmFCATbLXAcCwKa0k8JvONAwSruelyKA5E_0'],
    ]);
  });

  it('joins an alert attached to a case to that case (kibana.alert.case_ids) and groups the others by host and user', () => {
    expect(flat!.incidentKey).toBe('b8f0e3a0-f8a4-11f0-9c1e-3b9d5f0a6c21');
    expect(nested!.incidentKey).toBeUndefined();
    expect(nested!.group).toEqual({ hosts: ['WS-FIN-042'], users: ['j.doe'] });
    expect(mixed!.group).toEqual({ hosts: ['FS-02'], users: ['svc-backup'] });
  });

  it('maps host, user, process entities with identities shared with other sources', () => {
    const byKind = Object.fromEntries(flat!.alert.evidence.map((e) => [e.kind, e]));
    expect(byKind.device).toMatchObject({ key: 'ws-fin-042', displayName: 'WS-FIN-042', sourceType: 'host' });
    expect(byKind.device!.attributes).toMatchObject({ 'os.name': 'Windows', ip: '10.20.4.42, fe80::1c2d:3e4f:5a6b:7c8d' });
    expect(byKind.user).toMatchObject({ key: 'contoso\\j.doe', displayName: 'CONTOSO\\j.doe' });
    expect(byKind.process).toMatchObject({ key: 'mzq4ntg3oje2mzk5mjoxnzcyndqyndm4', displayName: 'powershell.exe (7412)' });
    expect(byKind.process!.attributes['parent.name']).toBe('WINWORD.EXE');
  });

  it('reads a nested-key alert and falls back to the ECS threat fields when the rule names no technique', () => {
    const a = nested!.alert;
    expect(a.title).toBe('Connection to Known Malicious Infrastructure');
    expect(a.status).toBe('new');
    expect(a.severity).toBe('medium');
    expect(a.detectionSource).toBe('threat_match');
    expect(a.techniques).toEqual(['T1071', 'T1071.001']);
    expect(a.category).toBe('Command and Control');
    expect(a.statusHistory).toHaveLength(1);
  });

  it('maps source, destination and the network connection between them', () => {
    const e = nested!.alert.evidence;
    expect(e.filter((x) => x.kind === 'ip').map((x) => [x.key, x.roles])).toEqual([
      ['10.20.4.42', ['source']],
      ['203.0.113.77', ['destination']],
    ]);
    const conn = e.find((x) => x.kind === 'networkConnection')!;
    expect(conn.displayName).toBe('10.20.4.42:50122 -> 203.0.113.77:443/tcp');
    expect(conn.key).toBe('1:hbqz5cgz4qm7ow0s9xjbhkq8m1e=');
    expect(conn.attributes).toMatchObject({ direction: 'egress', 'destination.domain': 'cdn-update.example.net' });
  });

  it('reads flattened and nested keys of one document together, epoch-millisecond @timestamp, offsets and the risk score band', () => {
    const a = mixed!.alert;
    expect(a.sourceId).toBe('c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2');
    expect(a.title).toBe('Ransomware Note File Created');
    expect(a.detectorId).toBe('ab2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b');
    expect(a.createdAt).toBe('2026-03-02T10:00:12.000Z');
    // No kibana.alert.severity: risk score 73 is "high" in Elastic's documented bands.
    expect(a.severity).toBe('high');
    expect(a.status).toBe('resolved');
    expect(a.resolvedAt).toBe('2026-03-02T11:05:00.000Z');
    expect(a.classification).toBe('falsePositive');
    expect(a.statusHistory.map((h) => `${h.field}:${h.to}@${h.at}`)).toEqual([
      'status:new@2026-03-02T10:00:12.000Z',
      'status:resolved@2026-03-02T11:05:00.000Z',
      'classification:falsePositive@2026-03-02T11:05:00.000Z',
    ]);
    const file = a.evidence.find((e) => e.kind === 'file')!;
    expect(file).toMatchObject({ key: '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8', displayName: 'README_RESTORE.txt' });
    expect(a.evidence.find((e) => e.kind === 'device')!.key).toBe('fs-02');
    expect(a.evidence.find((e) => e.kind === 'user')!.key).toBe('svc-backup');
  });

  it('builds alerts the model schema returns unchanged', () => {
    for (const r of alertsOf(records)) expect(AlertSchema.parse(r.alert)).toStrictEqual(r.alert);
  });
});

describe('Elastic Security cases', () => {
  const [kase] = incidentsOf(mapFile(elasticFormat, fx('case.json'))) as [Incident];

  it('maps the Cases API case to an incident', () => {
    expect(kase).toMatchObject({
      source: 'elastic-security',
      sourceFormat: 'elastic',
      sourceId: 'b8f0e3a0-f8a4-11f0-9c1e-3b9d5f0a6c21',
      title: 'Macro-enabled invoice led to PowerShell on WS-FIN-042',
      severity: 'high',
      status: 'resolved',
      createdAt: '2026-03-02T09:35:12.118Z',
      updatedAt: '2026-03-02T13:49:05.441Z',
      resolvedAt: '2026-03-02T13:49:05.441Z',
      assignedTo: 'u_mGBROF_q5bmFCATbLXAcCwKa0k8JvONAwSruelyKA5E_0',
      tags: ['phishing', 'finance'],
      partial: false,
      alerts: [],
    });
  });

  it('keeps comments, alert attachments and response actions on the timeline', () => {
    expect(kase.comments.map((c) => [c.author, c.createdAt, c.text])).toEqual([
      [
        'Anita Roy',
        '2026-03-02T09:35:40.871Z',
        'Attached 2 alerts 4f5a0d2e8c1b7a93e6d4c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291, 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b (rule: Suspicious PowerShell Launched by Office Application) from .internal.alerts-security.alerts-default-000001',
      ],
      ['Anita Roy', '2026-03-02T09:52:03.000Z', 'Response action isolate on WS-FIN-042: Isolating while we pull the document'],
      ['Anita Roy', '2026-03-02T13:47:30.520Z', 'Payload blocked by proxy; no second stage. Mailbox purge done, host reimaged.'],
    ]);
  });

  it('takes the status history from the case user actions', () => {
    expect(kase.statusHistory.map((h) => [h.field, h.from, h.to, h.at, h.by])).toEqual([
      ['status', null, 'active', '2026-03-02T09:35:12.118Z', 'Anita Roy'],
      ['severity', null, 'medium', '2026-03-02T09:35:12.118Z', 'Anita Roy'],
      ['assignedTo', null, 'u_mGBROF_q5bmFCATbLXAcCwKa0k8JvONAwSruelyKA5E_0', '2026-03-02T09:36:02.500Z', 'Anita Roy'],
      ['status', 'active', 'inProgress', '2026-03-02T09:36:20.004Z', 'Anita Roy'],
      ['severity', 'medium', 'high', '2026-03-02T09:51:44.760Z', 'Anita Roy'],
      ['status', 'inProgress', 'resolved', '2026-03-02T13:49:05.441Z', 'Anita Roy'],
    ]);
  });

  it('reads 7.x user actions (action_field, new_value)', () => {
    const [old] = incidentsOf(mapFile(elasticFormat, fx('case-7x.json')));
    expect(old!.status).toBe('inProgress');
    expect(old!.severity).toBe('unknown');
    expect(old!.statusHistory.map((h) => `${h.field}:${h.from}->${h.to}@${h.at}`)).toEqual([
      'status:null->active@2021-04-02T15:25:19.088Z',
      'status:active->inProgress@2021-04-02T16:02:11.500Z',
    ]);
  });

  it('builds incidents the model schema returns unchanged', () => {
    for (const file of ['case.json', 'case-7x.json']) {
      for (const incident of incidentsOf(mapFile(elasticFormat, fx(file)))) expect(IncidentSchema.parse(incident)).toStrictEqual(incident);
    }
  });
});

describe('malformed Elastic records are refused naming the path', () => {
  it('a technique id that is not a string', () => {
    const e = refusal(() => mapFile(elasticFormat, fx('bad-threat.json')));
    expect(e.location?.path).toBe('$["kibana.alert.rule.threat"][0].technique[0].id');
    expect(e.message).toMatch(/expected a technique ID string, got number 1059/);
  });

  it('a nested time that is not a date, on its NDJSON line', () => {
    const e = refusal(() => mapFile(elasticFormat, fx('bad-time.ndjson')));
    expect(e.location?.path).toBe('line 2: $.kibana.alert.workflow_status_updated_at');
    expect(e.message).toMatch(/not a valid date/);
  });

  it('a case comment whose time is not a date', () => {
    const e = refusal(() => mapFile(elasticFormat, fx('bad-case.json')));
    expect(e.location?.path).toBe('$.comments[1].created_at');
  });

  it('an alert without kibana.alert.uuid, and an alert field of the wrong type', () => {
    const where = recordsOf(fx('bad-threat.json'))[0]!.where;
    const noId = refusal(() => elasticFormat.parse({ '@timestamp': '2026-03-02T09:00:00Z', 'kibana.alert.rule.name': 'x' }, where, { file: 'f' }));
    expect(noId.location?.path).toBe('$["kibana.alert.uuid"]');
    const badName = refusal(() => elasticFormat.parse({ '@timestamp': '2026-03-02T09:00:00Z', kibana: { alert: { uuid: 'u1', rule: { name: { text: 'x' } } } } }, where, { file: 'f' }));
    expect(badName.location?.path).toBe('$.kibana.alert.rule.name');
  });
});

describe('Elastic detection is unambiguous', () => {
  it('claims every Elastic fixture record', () => {
    for (const file of readdirSync(join(fixtures, 'elastic'))) {
      for (const { record } of recordsOf(fx(file))) expect(elasticFormat.detect(record), file).toBe(true);
    }
  });

  it('claims no record of the other formats fixtures', () => {
    expectClaimsNoOtherRecord(elasticFormat, 'elastic');
  });
});

describe('the Elastic examples', () => {
  const examples = join(__dirname, '..', '..', 'examples');

  it('are one case and the three alerts attached to it, all schema-valid', () => {
    const [kase] = incidentsOf(mapFile(elasticFormat, join(examples, 'elastic-case.json')));
    const alerts = alertsOf(mapFile(elasticFormat, join(examples, 'elastic-alerts.json')));
    expect(IncidentSchema.parse(kase)).toStrictEqual(kase);
    expect(kase!.statusHistory.filter((h) => h.field === 'status').map((h) => h.to)).toEqual(['active', 'inProgress', 'resolved']);
    expect(alerts.map((a) => a.incidentKey)).toEqual([kase!.sourceId, kase!.sourceId, kase!.sourceId]);
    expect(alerts.flatMap((a) => a.alert.techniques)).toEqual(['T1003', 'T1003.001', 'T1021', 'T1021.002', 'T1569', 'T1569.002', 'T1570']);
    for (const a of alerts) expect(AlertSchema.parse(a.alert)).toStrictEqual(a.alert);
  });
});

describe('the Cases API find response', () => {
  it('is read as its cases, each with its own path', () => {
    const [kase] = incidentsOf(mapFile(elasticFormat, fx('find-cases.json')));
    expect(kase).toMatchObject({ sourceId: '0e6b1f80-f9b2-11f0-9c1e-3b9d5f0a6c21', status: 'active', severity: 'medium', updatedAt: '2026-03-03T10:02:41.771Z', assignedTo: null });
    expect(kase!.statusHistory).toEqual([{ field: 'status', from: null, to: 'active', at: '2026-03-03T10:02:41.771Z', by: null, origin: 'source' }]);
    expect(IncidentSchema.parse(kase)).toStrictEqual(kase);
    const e = refusal(() => elasticFormat.parse({ cases: [{ id: 'c1' }], page: 1, per_page: 20, total: 1 }, recordsOf(fx('find-cases.json'))[0]!.where, { file: 'f' }));
    expect(e.location?.path).toBe('$.cases[0].created_at');
  });

  it('reads a fields-API style threat (every value a list)', () => {
    const where = recordsOf(fx('find-cases.json'))[0]!.where;
    const record = {
      '@timestamp': ['2026-03-02T09:00:00.000Z'],
      'kibana.alert.uuid': ['u-fields'],
      'kibana.alert.rule.name': ['Fields API alert'],
      'kibana.alert.rule.threat.framework': ['MITRE ATT&CK'],
      'kibana.alert.rule.threat.tactic.name': ['Execution'],
      'kibana.alert.rule.threat.technique.id': ['T1059'],
      'kibana.alert.rule.threat.technique.subtechnique.id': ['T1059.003'],
    };
    const [r] = alertsOf(elasticFormat.parse(record, where, { file: 'f' }));
    expect([r!.alert.title, r!.alert.createdAt, r!.alert.techniques, r!.alert.category]).toEqual(['Fields API alert', '2026-03-02T09:00:00.000Z', ['T1059', 'T1059.003'], 'Execution']);
  });
});

describe('Elastic and TheHive records among all registered formats', () => {
  it('each record of their fixtures and examples is claimed by exactly one format, theirs', async () => {
    const { FORMATS } = await import('../../src/ingest/formats.js');
    const examples = join(__dirname, '..', '..', 'examples');
    const files = [
      ...['elastic', 'thehive'].flatMap((d) => readdirSync(join(fixtures, d)).map((f) => join(fixtures, d, f))),
      ...readdirSync(examples)
        .filter((f) => /^(elastic|thehive)-.*\.json$/.test(f))
        .map((f) => join(examples, f)),
    ];
    let checked = 0;
    for (const file of files) {
      const expected = file.includes('thehive') ? 'thehive' : 'elastic';
      for (const { record } of recordsOf(file)) {
        expect(FORMATS.filter((f) => f.detect(record)).map((f) => f.name), file).toEqual([expected]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('no record of the other formats examples is claimed by Elastic or TheHive', async () => {
    const { theHiveFormat } = await import('../../src/ingest/thehive.js');
    const examples = join(__dirname, '..', '..', 'examples');
    const others = readdirSync(examples).filter((f) => /\.(json|ndjson)$/.test(f) && !/^(elastic|thehive)-/.test(f));
    expect(others.length).toBeGreaterThan(3);
    for (const f of others) {
      for (const { record } of recordsOf(join(examples, f))) {
        const inner: unknown[] = Array.isArray(record.value) ? record.value : [];
        for (const r of [record, ...inner]) {
          expect(elasticFormat.detect(r as never), f).toBe(false);
          expect(theHiveFormat.detect(r as never), f).toBe(false);
        }
      }
    }
  });
});

describe('Elastic 7.x .siem-signals documents and fields-only hits', () => {
  it('detects a 7.x signal (signal.rule, signal.status) and maps rule, severity, workflow, ATT&CK, entities', async () => {
    const { format, incidents } = await parseFile(fx('siem-signals-7x.json'));
    expect(format).toBe('elastic');
    const [alert] = incidents.flatMap((i) => i.alerts);
    expect(alert).toMatchObject({
      title: 'Unusual rundll32 Child of Office',
      description: 'rundll32 started a DLL from a public folder.',
      severity: 'high',
      status: 'inProgress',
      detectorId: 'f9a2c7d4-1e3b-4c5d-8e6f-7a8b9c0d1e2f',
      detectionSource: 'eql',
      createdAt: '2021-05-12T08:31:07.412Z',
      firstActivityAt: '2021-05-12T08:31:02.250Z',
      category: 'Defense Evasion',
      techniques: ['T1218', 'T1218.011'],
    });
    expect(alert!.sourceId).toMatch(/^signal-[0-9a-f]+$/);
    expect(alert!.evidence.map((e) => e.kind).sort()).toEqual(expect.arrayContaining(['device', 'user', 'process']));
    for (const i of incidents) expect(IncidentSchema.parse(i)).toEqual(i);
    // The same signal read again gets the same id (idempotent re-import).
    const again = (await parseFile(fx('siem-signals-7x.json'))).incidents.flatMap((i) => i.alerts);
    expect(again[0]!.sourceId).toBe(alert!.sourceId);
  });

  it('names a bad value of a 7.x signal by its own path', async () => {
    const text = JSON.stringify({ '@timestamp': '2021-05-12T08:31:07.412Z', signal: { rule: { name: 'r', threat: 'T1059' }, status: 'open' } });
    await expect(parseText(text, { file: 's.json' })).rejects.toMatchObject({ exitCode: 2, location: { file: 's.json', path: '$.signal.rule.threat' } });
  });

  it('reads hits that carry only fields (no _source), their values in arrays', async () => {
    const { format, incidents } = await parseFile(fx('alerts-fields-only.json'));
    expect(format).toBe('elastic');
    const [alert] = incidents.flatMap((i) => i.alerts);
    expect(alert).toMatchObject({
      sourceId: '8c41f0e2b7d95a3c6e1f4b2a9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d',
      title: 'Potential Credential Access via LSASS Memory Dump',
      severity: 'critical',
      status: 'new',
      createdAt: '2024-02-20T16:04:11.230Z',
      techniques: ['T1003', 'T1003.001'],
    });
    expect(alert!.evidence.map((e) => e.key)).toEqual(expect.arrayContaining(['hr-srv-03']));
  });
});
