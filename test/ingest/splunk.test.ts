import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile, parseText } from '../../src/ingest/index.js';
import { IncidentSchema } from '../../src/model/incident.js';
import { refusal } from './soc-helpers.js';

const fx = (name: string) => join(__dirname, '..', 'fixtures', 'ingest', 'splunk', name);

describe('Splunk ES notables, REST results envelope', () => {
  it('reads results[]: rule names, urgency, status_label, owner, security domain, ISO _time', async () => {
    const { format, incidents } = await parseFile(fx('notables-rest.json'));
    expect(format).toBe('splunk');
    const [lsass, outbound] = incidents.flatMap((i) => i.alerts);
    expect(lsass).toMatchObject({
      title: 'LSASS memory read on FS-02 by procdump64.exe',
      description: 'A process opened LSASS with read access, consistent with credential dumping.',
      severity: 'critical',
      status: 'new',
      assignedTo: null,
      category: 'endpoint',
      detectorId: 'Endpoint - Credential Dumping via LSASS Access - Rule',
      createdAt: '2026-03-03T08:02:11.000Z',
      firstActivityAt: '2026-03-03T08:00:00.000Z',
    });
    // Flattened annotations.mitre_attack and annotations.mitre_attack.mitre_technique_id.
    expect(lsass!.techniques).toEqual(['T1003.001', 'T1003']);
    expect(lsass!.evidence.map((e) => `${e.kind}:${e.key}`)).toEqual(['device:fs-02', 'ip:10.30.1.17', 'user:acme\\helpdesk2']);
    // Nested annotations object; owner's real name; one review as history and comment.
    expect(outbound).toMatchObject({ status: 'inProgress', assignedTo: 'Kiran Patel', techniques: ['T1041'], updatedAt: '2026-03-03T08:15:00.000Z' });
    expect(outbound!.comments).toEqual([{ author: 'kpatel', createdAt: '2026-03-03T08:15:00.000Z', text: 'Looking at proxy logs for FS-02.' }]);
    for (const i of incidents) expect(IncidentSchema.parse(i)).toEqual(i);
  });
});

describe('Splunk export lines {"result": {...}}', () => {
  it('reads epoch-second _time, the annotations JSON text, multivalue fields and the review history in time order', async () => {
    const alerts = (await parseFile(fx('notables-export.ndjson'))).incidents.flatMap((i) => i.alerts);
    const [spray, tamper] = alerts;
    expect(spray).toMatchObject({ createdAt: '2026-03-03T09:15:00.000Z', status: 'resolved', resolvedAt: '2026-03-03T10:15:00.000Z', techniques: ['T1110.003', 'T1078'], severity: 'high' });
    expect(spray!.statusHistory.map((c) => [c.field, c.from, c.to, c.at, c.by])).toEqual([
      ['status', null, 'new', '2026-03-03T09:15:00.000Z', null],
      ['status', 'new', 'inProgress', '2026-03-03T09:16:00.000Z', 'kpatel'],
      ['assignedTo', null, 'kpatel', '2026-03-03T09:16:00.000Z', 'kpatel'],
      ['status', 'inProgress', 'new', '2026-03-03T09:25:00.000Z', 'kpatel'],
      ['status', 'new', 'resolved', '2026-03-03T10:15:00.000Z', 'kpatel'],
    ]);
    expect(spray!.comments.map((c) => c.text)).toEqual(['Lockout confirmed, account disabled', 'Taking this one', 'Password rotated; closing']);
    expect(spray!.evidence.filter((e) => e.kind === 'ip').map((e) => e.key)).toEqual(['203.0.113.7', '203.0.113.8']);
    // A v19 technique ID is kept exactly as sent; "-" is no user.
    expect(tamper).toMatchObject({ techniques: ['T1685'], createdAt: '2026-03-03T09:17:00.000Z' });
    expect(tamper!.evidence.map((e) => e.kind)).toEqual(['device']);
  });
});

describe('Splunk quirks', () => {
  it('reads an all-time search (info_max_time +Infinity), status_end flags and annotations that are not JSON without failing', async () => {
    const record = { _time: '1772528400', event_id: 'x@@notable@@1', search_name: 'Access - Brute Force - Rule', urgency: 'low', status_label: 'New', info_min_time: '0.000', info_max_time: '+Infinity', status_end: 'false', annotations: 'mitre T1110.001' };
    const [alert] = (await parseText(JSON.stringify(record), { file: 'n.json' })).incidents.flatMap((i) => i.alerts);
    expect(alert).toMatchObject({ firstActivityAt: null, lastActivityAt: null, techniques: ['T1110.001'], createdAt: '2026-03-03T09:00:00.000Z' });
  });
});

describe('malformed Splunk', () => {
  it('names file, line and JSON path', async () => {
    expect(await refusal(parseFile(fx('malformed.ndjson')))).toMatch(/malformed\.ndjson: line 2: \$\.result\._time: not a valid date-time: "sometime tuesday"/);
  });
});

describe('Splunk ES notable severity', () => {
  it('takes the highest of a multivalue event severity when ES set no urgency (unknown), as Splunk SOAR does', async () => {
    const rows = [
      { _time: '1772529300', event_id: 'n1@@notable@@a', rule_name: 'r', urgency: 'unknown', severity: ['Low', 'High'], status_label: 'New' },
      { _time: '1772529300', event_id: 'n2@@notable@@b', rule_name: 'r', severity: ['medium'], status_label: 'New' },
      { _time: '1772529300', event_id: 'n3@@notable@@c', rule_name: 'r', urgency: 'critical', severity: 'informational', status_label: 'New' },
    ];
    const { incidents } = await parseText(JSON.stringify({ results: rows }), { file: 'n.json' });
    const bySource = new Map(incidents.flatMap((i) => i.alerts).map((a) => [a.sourceId, a.severity]));
    expect(Object.fromEntries(bySource)).toEqual({ 'n1@@notable@@a': 'high', 'n2@@notable@@b': 'medium', 'n3@@notable@@c': 'critical' });
  });
});
