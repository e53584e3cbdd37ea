import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile, parseText } from '../../src/ingest/index.js';
import { timeValue } from '../../src/ingest/soc-fields.js';
import { Where } from '../../src/ingest/fields.js';
import { InputError } from '../../src/model/errors.js';
import { IncidentSchema } from '../../src/model/incident.js';
import { refusal } from './soc-helpers.js';

const fx = (name: string) => join(__dirname, '..', 'fixtures', 'ingest', 'ocsf', name);

describe('OCSF Detection Finding (2004)', () => {
  it('reads findings of OCSF 1.1, 1.3 and 1.4 shapes as standalone alerts, grouped by host and user in 1h windows', async () => {
    const { format, incidents } = await parseFile(fx('detection-findings.ndjson'));
    expect(format).toBe('ocsf');
    const alerts = incidents.flatMap((i) => i.alerts);
    expect(alerts.map((a) => a.sourceId)).toEqual(['ocsf-det-0001', 'ocsf-det-0002', 'ocsf-det-0003']);
    // 0001 and 0002: the same host (WS-FIN-042 / ws-fin-042) and account (jdoe@acme.example / ACME\jdoe) within 09:00-10:00 UTC.
    expect(incidents).toHaveLength(2);
    expect(incidents[0]!.alerts.map((a) => a.sourceId)).toEqual(['ocsf-det-0001', 'ocsf-det-0002']);
    expect(incidents[0]).toMatchObject({ source: 'hindsight', sourceFormat: 'ocsf', partial: true, severity: 'critical', status: 'inProgress', tenantId: 'acme-prod' });
    for (const i of incidents) expect(IncidentSchema.parse(i)).toEqual(i);
  });

  it('maps finding_info, severity, status, verdict, analytic, product and the ATT&CK labels', async () => {
    const alerts = (await parseFile(fx('detection-findings.ndjson'))).incidents.flatMap((i) => i.alerts);
    const [a, b, c] = alerts;
    expect(a).toMatchObject({
      title: 'Encoded PowerShell launched by Office',
      description: 'WINWORD.EXE spawned powershell.exe with an encoded command.',
      severity: 'high',
      status: 'new',
      createdAt: '2026-03-02T09:14:05.250Z',
      updatedAt: '2026-03-02T09:20:00.000Z',
      firstActivityAt: '2026-03-02T09:13:58.000Z',
      lastActivityAt: '2026-03-02T09:14:04.000Z',
      detectorId: 'ana-ps-encoded',
      category: 'Execution',
      productName: 'Falcon Insight',
      detectionSource: 'CrowdStrike',
      webUrl: 'https://falcon.example.com/activity/detections/ocsf-det-0001',
      techniques: ['T1059.001'],
    });
    // Epoch seconds, the top-level attacks[] with sub_technique, a v19 ID kept as sent, and a technique in an unmapped compliance field.
    expect(b).toMatchObject({ severity: 'critical', status: 'inProgress', createdAt: '2026-03-02T09:31:40.000Z', updatedAt: '2026-03-02T09:45:00.000Z' });
    expect(b!.techniques).toEqual(['T1685', 'T1059.001', 'T1562.001']);
    expect(b!.comments).toEqual([{ author: null, createdAt: '2026-03-02T09:45:00.000Z', text: 'Tamper protection was off on this host; ticket SEC-4471.' }]);
    // *_dt strings only: with an offset, and without one (UTC); resolved as a false positive.
    expect(c).toMatchObject({ createdAt: '2026-03-02T10:02:00.000Z', updatedAt: '2026-03-02T10:05:00.000Z', status: 'resolved', resolvedAt: '2026-03-02T10:05:00.000Z', classification: 'falsePositive', severity: 'low' });
  });

  it('turns device, actor.user, endpoints, evidences, observables and resources into entities', async () => {
    const [a, b] = (await parseFile(fx('detection-findings.ndjson'))).incidents.flatMap((i) => i.alerts);
    const keys = (x: typeof a) => x!.evidence.map((e) => `${e.kind}:${e.key}`);
    expect(keys(a)).toEqual(
      expect.arrayContaining([
        'device:ws-fin-042',
        'user:jdoe@acme.example',
        'process:4412|powershell.exe -nop -w hidden -enc SQBFAFgA',
        'file:9f2c1b7a3e55d0c4a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778',
        'ip:10.20.4.42',
        'url:https://cdn-invoices.example.net/get/0302',
      ]),
    );
    const file = a!.evidence.find((e) => e.kind === 'file')!;
    expect(file.displayName).toBe('invoice-0302.docm');
    expect(file.attributes['sha-256']).toBe('9F2C1B7A3E55D0C4A1B2C3D4E5F60718293A4B5C6D7E8F90112233445566778');
    expect(keys(b)).toEqual(expect.arrayContaining(['ip:198.51.100.23', 'device:update-check.example.org', 'other:resource:arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890']));
    expect(b!.evidence.find((e) => e.key === '198.51.100.23')!.roles).toEqual(['destination']);
  });
});

describe('OCSF Incident Finding (2005)', () => {
  it('is an incident of the findings it references; a Detection Finding in the same file brings its full content', async () => {
    const { incidents } = await parseFile(fx('incident-with-finding.json'));
    expect(incidents).toHaveLength(1);
    const inc = incidents[0]!;
    expect(inc).toMatchObject({
      source: 'ocsf',
      sourceId: 'INC-2026-0042',
      title: 'Macro-borne PowerShell and tampering on WS-FIN-042',
      severity: 'high',
      status: 'inProgress',
      classification: 'truePositive',
      assignedTo: 'sam.analyst@acme.example',
      createdAt: '2026-03-02T09:40:00.000Z',
      updatedAt: '2026-03-02T10:15:00.000Z',
      webUrl: 'https://soar.acme.example/incidents/INC-2026-0042',
      tags: ['priority:High', 'suspected-breach'],
      partial: false,
    });
    expect(inc.alerts.map((a) => a.sourceId)).toEqual(['ocsf-det-0001', 'ocsf-det-0002']);
    // The full finding replaced the reference; the incident's own attacks go on every finding.
    expect(inc.alerts[0]!.evidence.length).toBeGreaterThan(3);
    expect(inc.alerts[1]!.techniques).toEqual(['T1685', 'T1566.001']);
    expect(inc.comments).toEqual([{ author: 'Sam Analyst', createdAt: '2026-03-02T10:10:00.000Z', text: "Isolated WS-FIN-042 and reset jdoe's password." }]);
    expect(IncidentSchema.parse(inc)).toEqual(inc);
  });
});

describe('OCSF times', () => {
  const w = new Where('t.json');
  it('reads epoch ms, epoch seconds (with fractions), µs, ns, digit strings and ISO with or without offset; never 1970', () => {
    expect(timeValue(1772442845250, w)).toBe('2026-03-02T09:14:05.250Z');
    expect(timeValue(1772442845, w)).toBe('2026-03-02T09:14:05.000Z');
    expect(timeValue(1772442845.25, w)).toBe('2026-03-02T09:14:05.250Z');
    expect(timeValue('1772442845', w)).toBe('2026-03-02T09:14:05.000Z');
    expect(timeValue(1772442845250123, w)).toBe('2026-03-02T09:14:05.250Z');
    expect(timeValue(Number('1772442845250123456'), w)).toBe('2026-03-02T09:14:05.250Z');
    expect(timeValue('2026-03-02T10:14:05+01:00', w)).toBe('2026-03-02T09:14:05.000Z');
    expect(timeValue('2026-03-02T06:14:05.250-0300', w)).toBe('2026-03-02T09:14:05.250Z');
    expect(timeValue('2026-03-02T09:14:05', w)).toBe('2026-03-02T09:14:05.000Z');
    expect(() => timeValue(0, w)).toThrow(InputError);
  });
});

describe('malformed OCSF', () => {
  it('names the file, line and JSON path', async () => {
    expect(await refusal(parseFile(fx('malformed.ndjson')))).toMatch(/malformed\.ndjson.*line 2: \$\.finding_info\.created_time.*yesterday/);
  });

  it('refuses a finding without finding_info.uid, and an OCSF class that is not a finding under --format ocsf', async () => {
    expect(await refusal(parseText('{"class_uid":2004,"time":1772442845250,"finding_info":{"title":"x"}}', { file: 'f.json' }))).toMatch(/^f\.json: \$\.finding_info\.uid: required/);
    expect(await refusal(parseText('{"class_uid":3002,"time":1772442845250}', { file: 'f.json', format: 'ocsf' }))).toMatch(/class_uid 3002/);
  });
});

describe('OCSF 1.0 Security Finding (2001)', () => {
  it('reads it as a detection alert: `finding` for finding_info, state_id (not the outcome status_id) as its status', async () => {
    const { format, incidents } = await parseFile(fx('security-finding-1.0.json'));
    expect(format).toBe('ocsf');
    const alerts = incidents.flatMap((i) => i.alerts);
    expect(alerts[0]).toMatchObject({
      title: 'IAM.6 Hardware MFA should be enabled for the root user',
      severity: 'high',
      status: 'inProgress',
      createdAt: '2024-04-09T11:00:00.000Z',
      updatedAt: '2024-04-10T12:11:22.000Z',
      firstActivityAt: '2024-04-09T11:00:00.000Z',
      category: 'Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices',
      productName: 'Security Hub',
      recommendedActions: 'Enable a hardware MFA device for the root user.',
    });
    expect(alerts[0]!.evidence.map((e) => e.displayName)).toContain('AWS::::Account:210987654321');
    // epoch seconds as digits and a *_dt time with an offset; state "Resolved" as a label.
    expect(alerts[1]).toMatchObject({ sourceId: 'sh-finding-2', status: 'resolved', createdAt: '2024-04-09T11:00:00.000Z' });
    for (const i of incidents) expect(IncidentSchema.parse(i)).toEqual(i);
  });

  it('refuses a 2001 finding whose finding is not an object, naming the path', async () => {
    const text = '{"class_uid":2001,"time":1712751082000,"finding_info":{"uid":"a"},"finding":"x"}';
    const ok = await parseText(text, { file: 'f.json' });
    expect(ok.incidents.flatMap((i) => i.alerts)[0]!.sourceId).toBe('a');
    expect(await refusal(parseText('{"class_uid":2001,"time":1712751082000,"finding":{"uid":3.5,"title":{"x":1}}}', { file: 'f.json' }))).toMatch(/\$\.finding\.title/);
  });
});

describe('OCSF Detection Finding without `time`', () => {
  it('takes finding_info.created_time (then event_time), as producers that omit `time` write it (ISO without offset = UTC)', async () => {
    const { incidents } = await parseFile(fx('detection-finding-no-time.json'));
    const [alert] = incidents.flatMap((i) => i.alerts);
    expect(alert).toMatchObject({ severity: 'high', status: 'new', createdAt: '2024-05-14T09:12:33.481Z', productName: 'Prowler', recommendedActions: 'Using IAM console enable hardware MFA.' });
    const noTimes = '{"class_uid":2004,"finding_info":{"uid":"u","title":"t"},"event_time":"2024-05-14T11:00:00+02:00","metadata":{"version":"1.2.0"}}';
    const [other] = (await parseText(noTimes, { file: 'e.json' })).incidents.flatMap((i) => i.alerts);
    expect(other!.createdAt).toBe('2024-05-14T09:00:00.000Z');
    expect(await refusal(parseText('{"class_uid":2004,"finding_info":{"uid":"u"},"metadata":{}}', { file: 'e.json' }))).toMatch(/\$\.time: required field "time" is missing/);
  });
});
