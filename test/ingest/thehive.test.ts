import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MappedRecord } from '../../src/ingest/formats.js';
import { theHiveFormat } from '../../src/ingest/thehive.js';
import { IncidentSchema, AlertSchema, type Incident } from '../../src/model/incident.js';
import { expectClaimsNoOtherRecord, fixtures, mapFile, recordsOf, refusal } from './elastic-helpers.js';

const fx = (name: string) => join(fixtures, 'thehive', name);
const alertsOf = (records: MappedRecord[]) => records.flatMap((r) => (r.kind === 'alert' ? [r] : []));
const incidentsOf = (records: MappedRecord[]) => records.flatMap((r) => (r.kind === 'incident' ? [r.incident] : []));

describe('TheHive 5 cases', () => {
  const [kase] = incidentsOf(mapFile(theHiveFormat, fx('case-th5.json'))) as [Incident];

  it('maps the v1 case: ~id, epoch-millisecond times, severity code, stage and closing status', () => {
    expect(kase).toMatchObject({
      source: 'thehive',
      sourceFormat: 'thehive',
      sourceId: '~4264',
      title: 'Phishing wave: invoice macro on finance workstation',
      severity: 'high',
      status: 'resolved',
      classification: 'truePositive',
      assignedTo: 'analyst1@soc.example.org',
      createdAt: '2026-03-02T09:30:00.000Z',
      updatedAt: '2026-03-02T16:50:00.000Z',
      resolvedAt: '2026-03-02T16:50:00.000Z',
      tags: ['phishing', 'finance', 'macro'],
      summary: 'Macro dropped an encoded PowerShell loader; blocked at the proxy. Host reimaged, sender domain blocked.',
      partial: false,
    });
  });

  it('keeps TheHive own time measures, TLP/PAP and custom fields in the raw record', () => {
    const raw = kase.raw as Record<string, unknown>;
    expect([raw.timeToDetect, raw.timeToTriage, raw.timeToQualify, raw.timeToAcknowledge, raw.timeToResolve]).toEqual([62000, 600000, 900000, 1200000, 27362000]);
    expect([raw.tlpLabel, raw.papLabel]).toEqual(['AMBER', 'AMBER']);
    expect(raw.customFields).toHaveLength(2);
  });

  it('holds the embedded alert and the case own observables and TTPs as alerts', () => {
    expect(kase.alerts.map((a) => [a.sourceId, a.title])).toEqual([
      ['~122908', 'Macro-enabled attachment delivered'],
      ['~4264/case', 'Case #1287: Phishing wave: invoice macro on finance workstation'],
    ]);
    const own = kase.alerts[1]!;
    expect(own.techniques).toEqual(['T1566.001', 'T1059.001']);
    expect(own.category).toBe('Initial Access');
    expect(own.firstActivityAt).toBe('2026-03-02T09:13:58.000Z');
    expect(own.status).toBe('resolved');
    const imported = kase.alerts[0]!;
    expect(imported).toMatchObject({ severity: 'medium', status: 'inProgress', providerAlertId: 'MG-2026-03-02-0042', serviceSource: 'MailGuard', detectionSource: 'mail-gateway' });
  });

  it('maps observables to entities by dataType, ioc as a malicious verdict, files by hash', () => {
    const e = kase.alerts[1]!.evidence;
    expect(e.map((x) => [x.kind, x.key, x.displayName, x.verdict, x.roles])).toEqual([
      ['mailbox', 'billing@invoices-example.net', 'billing@invoices-example.net', 'malicious', ['ioc', 'sighted']],
      ['device', 'ws-fin-042', 'WS-FIN-042', null, []],
      ['ip', '203.0.113.77', '203.0.113.77', 'malicious', ['ioc']],
      ['file', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'malicious', ['ioc', 'sighted']],
    ]);
    // The attached file has the same SHA-256 as the hash observable: one entity.
    expect(e.filter((x) => x.kind === 'file')).toHaveLength(1);
    expect(e[0]!.attributes).toMatchObject({ dataType: 'mail', tags: 'sender', sightedAt: '2026-03-02T09:13:58.000Z', message: 'Sender of the invoice' });
    expect(e[0]!.createdAt).toBe('2026-03-02T09:30:20.000Z');
  });

  it('puts comments, task starts, task logs and task ends on the timeline', () => {
    expect(kase.comments.map((c) => `${c.createdAt} ${c.author} ${c.text}`)).toEqual([
      '2026-03-02T09:36:40.000Z analyst1@soc.example.org Task started: Containment: Contain the host',
      '2026-03-02T09:38:20.000Z mail.admin@soc.example.org Task started: Purge the mail',
      '2026-03-02T09:50:00.000Z analyst1@soc.example.org [Containment: Contain the host] Host isolated from the EDR console.',
      '2026-03-02T10:06:40.000Z analyst1@soc.example.org Task completed: Containment: Contain the host',
      '2026-03-02T10:21:40.000Z mail.admin@soc.example.org [Purge the mail] Purged 14 copies from mailboxes.',
      '2026-03-02T10:23:20.000Z mail.admin@soc.example.org Task completed: Purge the mail',
      '2026-03-02T16:48:20.000Z lead@soc.example.org Closing: no second stage observed. Lessons learned scheduled.',
    ]);
  });

  it('derives the status history from the stage dates', () => {
    expect(kase.statusHistory.map((h) => `${h.field}:${h.from}->${h.to}@${h.at}`)).toEqual([
      'status:null->active@2026-03-02T09:30:00.000Z',
      'status:active->inProgress@2026-03-02T09:35:00.000Z',
      'assignedTo:null->analyst1@soc.example.org@2026-03-02T09:35:00.000Z',
      'status:inProgress->resolved@2026-03-02T16:50:00.000Z',
      'classification:null->truePositive@2026-03-02T16:50:00.000Z',
    ]);
  });

  it('builds an incident the model schema returns unchanged', () => {
    expect(IncidentSchema.parse(kase)).toStrictEqual(kase);
  });
});

describe('TheHive alerts (query results)', () => {
  const records = alertsOf(mapFile(theHiveFormat, fx('query-alerts.json')));

  it('maps a closed standalone alert: critical, FalsePositive closing status, procedures, grouped by its host and user observables', () => {
    const [closed] = records;
    expect(closed!.incidentKey).toBeUndefined();
    expect(closed!.source).toBe('thehive');
    expect(closed!.group).toEqual({ hosts: ['vpn-gw-01'], users: ['M.Keller'] });
    expect(closed!.alert).toMatchObject({
      sourceId: '~204808',
      severity: 'critical',
      status: 'resolved',
      classification: 'falsePositive',
      createdAt: '2026-03-03T10:00:00.000Z',
      resolvedAt: '2026-03-03T10:30:00.000Z',
      firstActivityAt: '2026-03-03T09:55:00.000Z',
      techniques: ['T1078'],
      assignedTo: 'analyst2@soc.example.org',
    });
    expect(closed!.alert.statusHistory.filter((h) => h.field === 'status').map((h) => `${h.to}@${h.at} by ${h.by}`)).toEqual([
      'new@2026-03-03T10:00:00.000Z by null',
      'inProgress@2026-03-03T10:10:00.000Z by analyst2@soc.example.org',
      'resolved@2026-03-03T10:30:00.000Z by analyst2@soc.example.org',
    ]);
    expect(closed!.alert.evidence.find((e) => e.kind === 'user')!.key).toBe('m.keller');
  });

  it('joins an alert imported into a case to that case by caseId', () => {
    expect(records[1]!.incidentKey).toBe('~4264');
    expect(records[1]!.alert.status).toBe('inProgress');
  });

  it('builds alerts the model schema returns unchanged', () => {
    for (const r of records) expect(AlertSchema.parse(r.alert)).toStrictEqual(r.alert);
  });
});

describe('TheHive 4 records where they differ', () => {
  const mapped = mapFile(theHiveFormat, fx('th4-v0.json'));

  it('reads a v0 case: id, createdAt, owner, status Resolved with resolutionStatus', () => {
    const [kase] = incidentsOf(mapped);
    expect(kase).toMatchObject({
      sourceId: '~40964200',
      status: 'resolved',
      classification: 'falsePositive',
      assignedTo: 'm.dupont',
      severity: 'high',
      createdAt: '2021-03-09T11:30:00.000Z',
      resolvedAt: '2021-03-09T20:00:00.000Z',
      alerts: [],
    });
    expect(IncidentSchema.parse(kase)).toStrictEqual(kase);
  });

  it('reads a v0 alert: embedded artifacts as entities, status Imported, case as the incident key', () => {
    const [alert] = alertsOf(mapped);
    expect(alert!.incidentKey).toBe('~40964200');
    expect(alert!.alert).toMatchObject({ sourceId: 'ce2c00f17132359cb3c50dfbb1901810', status: 'inProgress', createdAt: '2021-03-09T11:20:00.000Z', firstActivityAt: '2021-03-09T11:19:50.000Z' });
    expect(alert!.alert.evidence.map((e) => [e.kind, e.key])).toEqual([
      ['device', 'fs-02'],
      ['file', 'readme_restore.txt'],
    ]);
    expect(AlertSchema.parse(alert!.alert)).toStrictEqual(alert!.alert);
  });
});

describe('malformed TheHive records are refused naming the path', () => {
  it('a severity that is not a code 1-4', () => {
    const e = refusal(() => mapFile(theHiveFormat, fx('bad-severity.json')));
    expect(e.location?.path).toBe('$.severity');
    expect(e.message).toBe('expected a severity code 1-4, got the string "high"');
    const where = recordsOf(fx('bad-severity.json'))[0]!.where;
    const five = refusal(() => theHiveFormat.parse({ _id: '~1', _type: 'Case', _createdAt: 1772443800000, number: 1, title: 't', severity: 5 }, where, { file: 'f' }));
    expect(five.message).toBe('expected a severity code 1-4, got 5');
  });

  it('a procedure date that is not epoch milliseconds', () => {
    const e = refusal(() => mapFile(theHiveFormat, fx('bad-procedure.json')));
    expect(e.location?.path).toBe('$.procedures[1].occurDate');
  });

  it('an alert time of the wrong type, on its NDJSON line', () => {
    const e = refusal(() => mapFile(theHiveFormat, fx('bad-alert.ndjson')));
    expect(e.location?.path).toBe('line 2: $._createdAt');
    expect(e.message).toMatch(/expected a date in epoch milliseconds, got boolean true/);
  });

  it('a pattern that is not an ATT&CK ID', () => {
    const where = recordsOf(fx('bad-severity.json'))[0]!.where;
    const e = refusal(() =>
      theHiveFormat.parse({ _id: '~1', _type: 'Case', _createdAt: 1772443800000, number: 1, title: 't', severity: 1, procedures: [{ patternId: 'Phishing', occurDate: 1 }] }, where, { file: 'f' }),
    );
    expect(e.location?.path).toBe('$.procedures[0].patternId');
  });
});

describe('TheHive detection is unambiguous', () => {
  it('claims every TheHive fixture record', () => {
    for (const file of readdirSync(join(fixtures, 'thehive'))) {
      for (const { record } of recordsOf(fx(file))) expect(theHiveFormat.detect(record), file).toBe(true);
    }
  });

  it('claims no record of the other formats fixtures', () => {
    expectClaimsNoOtherRecord(theHiveFormat, 'thehive');
  });
});

describe('the TheHive example', () => {
  it('is one closed case with its alert, TTPs and observables, schema-valid', () => {
    const [kase] = incidentsOf(mapFile(theHiveFormat, join(__dirname, '..', '..', 'examples', 'thehive-case.json')));
    expect(IncidentSchema.parse(kase)).toStrictEqual(kase);
    expect(kase).toMatchObject({ sourceId: '~73728104', severity: 'critical', status: 'resolved', classification: 'truePositive' });
    expect(kase!.alerts.map((a) => a.sourceId)).toEqual(['~73564168', '~73728104/case']);
    expect(kase!.alerts[1]!.techniques).toEqual(['T1621', 'T1078.004', 'T1114.003']);
  });
});

describe('TheHive times', () => {
  const where = recordsOf(fx('bad-severity.json'))[0]!.where;
  const alertAt = (createdAt: unknown) => {
    const [r] = theHiveFormat.parse({ _id: '~1', _type: 'Alert', _createdAt: createdAt, type: 't', source: 's', sourceRef: 'r', title: 't', severity: 1 }, where, { file: 'f' });
    return r?.kind === 'alert' ? r.alert.createdAt : null;
  };

  it('reads epoch milliseconds, epoch seconds, digit text and ISO text, never landing in 1970', () => {
    expect(alertAt(1772443800000)).toBe('2026-03-02T09:30:00.000Z');
    expect(alertAt(1772443800)).toBe('2026-03-02T09:30:00.000Z');
    expect(alertAt('1772443800000')).toBe('2026-03-02T09:30:00.000Z');
    expect(alertAt('2026-03-02T10:30:00+01:00')).toBe('2026-03-02T09:30:00.000Z');
    expect(refusal(() => alertAt(86400)).location?.path).toBe('$._createdAt');
  });
});
