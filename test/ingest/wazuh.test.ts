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
