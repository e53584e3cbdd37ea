import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile, parseText } from '../../src/ingest/index.js';
import { wazuhSeverity } from '../../src/ingest/wazuh.js';
import { IncidentSchema } from '../../src/model/incident.js';
import { refusal } from './soc-helpers.js';

const fx = (name: string) => join(__dirname, '..', 'fixtures', 'ingest', 'wazuh', name);

describe('Wazuh alerts.json', () => {
  it('reads each line as an alert: rule, level, timestamps with -0300 offsets, decoder, full_log', async () => {
    const { format, incidents } = await parseFile(fx('alerts.json'));
    expect(format).toBe('wazuh');
    const alerts = incidents.flatMap((i) => i.alerts);
    expect(alerts.map((a) => a.sourceId)).toEqual(['1772370900.1048576', '1772372472.2097152', '1772373160.3145728', '1772371205.4194304']);
    expect(alerts[0]).toMatchObject({
      title: 'sshd: brute force trying to get access to the system. Authentication failed.',
      description: 'Mar  1 10:15:00 web-01 sshd[23151]: Failed password for root from 203.0.113.7 port 50190 ssh2',
      severity: 'medium',
      status: 'new',
      createdAt: '2026-03-01T13:15:00.123Z',
      detectorId: '5763',
      detectionSource: 'sshd',
      serviceSource: 'syslog',
      productName: 'Wazuh',
      category: 'Credential Access',
      techniques: ['T1110.001'],
    });
    for (const i of incidents) expect(IncidentSchema.parse(i)).toEqual(i);
  });

  it('takes technique IDs from rule.mitre.id, not index-matched to the longer tactic and technique-name arrays', async () => {
    const alerts = (await parseFile(fx('alerts.json'))).incidents.flatMap((i) => i.alerts);
    const lateral = alerts.find((a) => a.detectorId === '100210')!;
    expect(lateral.techniques).toEqual(['T1078', 'T1021.004']);
    expect(lateral.category).toBe('Defense Evasion, Persistence, Privilege Escalation, Initial Access, Lateral Movement');
    expect(lateral.severity).toBe('high');
  });

  it('turns agent, data.srcip/dstuser, Windows event data and syscheck into entities', async () => {
    const alerts = (await parseFile(fx('alerts.json'))).incidents.flatMap((i) => i.alerts);
    const keys = (id: string) => alerts.find((a) => a.detectorId === id)!.evidence.map((e) => `${e.kind}:${e.key}:${e.roles.join('+')}`);
    expect(keys('5763')).toEqual(['device:web-01:reporter', 'ip:203.0.113.7:source', 'user:root:destination']);
    expect(keys('60122')).toEqual(['device:dc-01:reporter', 'device:dc-01.acme.local:', 'ip:203.0.113.7:source', 'user:acme\\svc_backup:target']);
    const fim = alerts.find((a) => a.detectorId === '550')!.evidence.find((e) => e.kind === 'file')!;
    expect(fim).toMatchObject({ key: '/etc/ssh/sshd_config', displayName: 'sshd_config', roles: ['modified'] });
    expect(fim.attributes.sha256_after).toBe('3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b');
  });

  it('groups by agent host and user in 1h windows: web-01 alerts of 13:15-13:52 UTC in one incident, DC-01 in another', async () => {
    const { incidents } = await parseFile(fx('alerts.json'));
    // web-01/root (2 alerts), web-01/root syscheck (uname_after root), DC-01/svc_backup.
    expect(incidents.map((i) => [i.title, i.alerts.length])).toEqual([
      ['sshd: brute force trying to get access to the system. Authentication failed.', 3],
      ['Logon failure - Unknown user or bad password.', 1],
    ]);
    expect(incidents[0]).toMatchObject({ severity: 'high', status: 'active', partial: true, source: 'hindsight' });
  });
});

describe('Wazuh indexer (wazuh-alerts-*) search response', () => {
  it('reads hits.hits[]._source with the same identities as alerts.json', async () => {
    const fromIndex = (await parseFile(fx('search-response.json'))).incidents.flatMap((i) => i.alerts);
    expect(fromIndex.map((a) => [a.sourceId, a.createdAt])).toEqual([
      ['1772370900.1048576', '2026-03-01T13:15:00.123Z'],
      ['1772371205.4194304', '2026-03-01T13:20:05.512Z'],
    ]);
  });
});

describe('Wazuh severity', () => {
  it('maps rule.level after the dashboard bands', () => {
    expect([0, 2, 3, 6, 7, 11, 12, 14, 15].map(wazuhSeverity)).toEqual(['informational', 'informational', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical']);
  });
});

describe('malformed Wazuh', () => {
  it('names file, line and JSON path', async () => {
    expect(await refusal(parseFile(fx('malformed.ndjson')))).toMatch(/malformed\.ndjson: line 2: \$\.rule\.level: expected a rule level from 0 to 15, got "high"/);
    expect(await refusal(parseText('{"rule":{"level":3},"agent":{"id":"001"},"timestamp":"2026-13-45T99:00:00-0300"}', { file: 'w.json' }))).toMatch(/\$\.timestamp: not a valid date-time/);
  });
});

describe('Wazuh 2.x alerts.json (as Wazuh documentation still shows it)', () => {
  it('reads the zone-less "2018 Feb 11 09:40:05" timestamp as UTC and the top-level srcuser/dstuser', async () => {
    const { format, incidents } = await parseFile(fx('alerts-2x.json'));
    expect(format).toBe('wazuh');
    const [alert] = incidents.flatMap((i) => i.alerts);
    expect(alert).toMatchObject({ createdAt: '2018-02-11T09:40:05.000Z', severity: 'low', detectorId: '5401', detectionSource: 'sudo' });
    const users = alert!.evidence.filter((e) => e.kind === 'user').map((e) => e.key);
    expect(users.sort()).toEqual(['dana', 'root']);
    for (const i of incidents) expect(IncidentSchema.parse(i)).toEqual(i);
  });

  it('still refuses an unknown month in the old form, naming the field', async () => {
    const text = '{"rule":{"level":5,"id":1},"agent":{"id":"001","name":"a"},"timestamp":"2018 Fob 11 09:40:05"}';
    expect(await refusal(parseText(text, { file: 'old.json' }))).toMatch(/\$\.timestamp: not a valid date-time/);
  });
});

describe('Wazuh 5 findings (ECS with wazuh.rule, as the Wazuh dashboard sample data)', () => {
  it('reads wazuh.rule (title, level label, mitre technique/subtechnique ids) and the ECS entities', async () => {
    const { format, incidents } = await parseFile(fx('findings-5x.ndjson'));
    expect(format).toBe('wazuh');
    const alerts = incidents.flatMap((i) => i.alerts);
    expect(alerts).toHaveLength(2);
    // event.id is the source event's and repeats: each finding keeps its own id.
    expect(new Set(alerts.map((a) => a.sourceId)).size).toBe(2);
    const logon = alerts.find((a) => a.detectorId === 'win-auth-004')!;
    expect(logon).toMatchObject({
      title: 'Multiple failed logons for one account',
      severity: 'high',
      category: 'Credential Access',
      techniques: ['T1110', 'T1110.001'],
      createdAt: '2026-05-18T07:22:41.000Z',
      serviceSource: 'wazuh-windows',
      detectionSource: 'windows-event',
      productName: 'Wazuh',
    });
    const kinds = logon.evidence.map((e) => `${e.kind}:${e.key}`);
    expect(kinds).toEqual(expect.arrayContaining(['device:acct-ws-12', 'ip:198.51.100.23']));
    const fim = alerts.find((a) => a.detectorId === 'fim-010')!;
    expect(fim).toMatchObject({ severity: 'medium', techniques: [] });
    expect(fim.evidence.map((e) => e.key)).toContain('db-03');
    for (const i of incidents) expect(IncidentSchema.parse(i)).toEqual(i);
    const again = (await parseFile(fx('findings-5x.ndjson'))).incidents.flatMap((i) => i.alerts).map((a) => a.sourceId);
    expect(again.sort()).toEqual(alerts.map((a) => a.sourceId).sort());
  });

  it('refuses a finding whose @timestamp is not a date, naming its line and path', async () => {
    const text = '{"@timestamp":"yesterday","wazuh":{"rule":{"id":"x","level":"low"}}}';
    expect(await refusal(parseText(text, { file: 'f.ndjson' }))).toMatch(/f\.ndjson: \$\["@timestamp"\]: not a valid date/);
  });
});
