/** The pure mapping of Microsoft Sentinel (ARM) incidents, with alerts, entities and comments. */
import { describe, expect, it } from 'vitest';
import { Where } from '../../src/ingest/fields.js';
import { parseText } from '../../src/ingest/index.js';
import { parseSentinelIncident, tacticShortname } from '../../src/ingest/sentinel.js';
import { IncidentSchema } from '../../src/model/incident.js';

const incident = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/incidents/73e01a99',
  name: '73e01a99',
  type: 'Microsoft.SecurityInsights/incidents',
  properties: {
    title: 'My incident',
    severity: 'Informational',
    status: 'Active',
    classification: null,
    owner: { objectId: null, email: 'jane@contoso.com', assignedTo: 'Jane', userPrincipalName: null },
    labels: [{ labelName: 'phishing', labelType: 'User' }],
    createdTimeUtc: '2026-11-01T10:00:00Z',
    lastModifiedTimeUtc: '2026-11-01T11:00:00.1234567Z',
    incidentNumber: 12,
    incidentUrl: 'https://portal.azure.com/#incident/73e01a99',
    additionalData: { tactics: ['InitialAccess', 'PreAttack'], techniques: ['T1566'] },
    providerName: 'Azure Sentinel',
    providerIncidentId: '12',
  },
};

describe('Sentinel mapping', () => {
  it('maps the ARM envelope to a complete model record', () => {
    const alerts = [{ name: 'a1', kind: 'SecurityAlert', properties: { alertDisplayName: 'Phish', severity: 'Low', status: 'Dismissed', systemAlertId: 'a1', startTimeUtc: '2026-11-01T09:59:00Z', timeGenerated: '2026-11-01T10:00:00Z', tactics: ['InitialAccess'], techniques: [] } }];
    const entities = [{ name: 'e1', kind: 'Url', properties: { url: 'https://bad.example/x', friendlyName: 'https://bad.example/x' } }, { name: 'e2', kind: 'Bookmark', properties: { displayName: 'b' } }];
    const mapped = parseSentinelIncident(incident, new Where('f.json'), { alerts, entities, comments: [] });
    expect(IncidentSchema.parse(mapped)).toEqual(mapped);
    expect(mapped).toMatchObject({ source: 'microsoft-sentinel', sourceId: '73e01a99', severity: 'informational', status: 'inProgress', assignedTo: 'jane@contoso.com', tags: ['phishing', 'tactic:initial-access', 'tactic:pre-attack', 'sentinel:12'], updatedAt: '2026-11-01T11:00:00.123Z' });
    expect(mapped.alerts[0]).toMatchObject({ status: 'resolved', severity: 'low', techniques: ['T1566'] });
    expect(mapped.alerts[0]!.evidence.map((e) => [e.kind, e.key])).toEqual([['url', 'url:https://bad.example/x'], ['other', expect.stringMatching(/^Bookmark:/)]]);
  });

  it('names the JSON path of a bad field', async () => {
    const bad = { value: [incident, { ...incident, properties: { ...incident.properties, createdTimeUtc: 'soon' } }] };
    await expect(parseText(JSON.stringify(bad), { file: 'list.json', format: 'sentinel' })).rejects.toMatchObject({ message: 'not a valid date-time: "soon"', location: { file: 'list.json', path: '$.value[1].properties.createdTimeUtc' } });
  });

  it('normalises tactic names to ATT&CK shortnames', () => {
    expect(['InitialAccess', 'CommandAndControl', 'PrivilegeEscalation', 'Impact'].map(tacticShortname)).toEqual(['initial-access', 'command-and-control', 'privilege-escalation', 'impact']);
  });
});

describe('Sentinel shapes of the published REST examples', () => {
  // Shapes as Microsoft's Incidents - List / List Entities / Comments examples give them: an integer
  // incidentNumber, seven fractional digits, an owner with assignedTo, entities by kind.
  const listed = {
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/incidents/0b1c2d3e',
    name: '0b1c2d3e',
    type: 'Microsoft.SecurityInsights/incidents',
    etag: '"0300bf09-0000-0000-0000-5c37296e0000"',
    properties: {
      lastModifiedTimeUtc: '2026-10-02T08:15:30.6158361Z',
      createdTimeUtc: '2026-10-01T13:15:30Z',
      firstActivityTimeUtc: '2026-10-01T13:00:30Z',
      lastActivityTimeUtc: '2026-10-01T13:05:30Z',
      title: 'Brute force against a server',
      owner: { objectId: 'o1', email: 'ana@fabrikam.example', userPrincipalName: 'ana@fabrikam.example', assignedTo: 'Ana', ownerType: 'User' },
      severity: 'High',
      classification: 'FalsePositive',
      classificationComment: 'Scanner run by the red team',
      classificationReason: 'IncorrectAlertLogic',
      status: 'Closed',
      incidentNumber: 4410,
      labels: [],
      providerName: 'Azure Sentinel',
      providerIncidentId: '4410',
      relatedAnalyticRuleIds: [],
      additionalData: { alertsCount: 0, bookmarksCount: 0, commentsCount: 1, alertProductNames: [], tactics: ['Persistence'] },
    },
  };
  const entity = (kind: string, name: string, properties: Record<string, unknown>) => ({ id: `x/Entities/${name}`, name, type: 'Microsoft.SecurityInsights/Entities', kind, properties });
  const entities = [
    entity('Account', 'n1', { friendlyName: 'administrator', accountName: 'administrator', ntDomain: 'FABRIKAM' }),
    entity('Account', 'n2', { friendlyName: 'administrator', accountName: 'administrator', ntDomain: 'LAB' }),
    entity('Host', 'n3', { friendlyName: 'srv-01', hostName: 'srv-01', dnsDomain: 'fabrikam.example', osFamily: 'Windows' }),
    entity('Ip', 'n4', { friendlyName: '198.51.100.4', address: '198.51.100.4', location: { countryCode: 'NL', asn: 1136 } }),
    entity('File', 'n5', { friendlyName: 'run.ps1', fileName: 'run.ps1', directory: 'C:\\Temp' }),
    entity('FileHash', 'n6', { algorithm: 'SHA256', hashValue: 'ab'.repeat(32) }),
    entity('Process', 'n7', { friendlyName: 'powershell.exe', processId: '4120', commandLine: 'powershell -f run.ps1', creationTimeUtc: '2026-10-01T13:01:00.1234567Z' }),
    entity('Url', 'n8', { url: 'http://bad.example/a' }),
    entity('MailMessage', 'n9', { friendlyName: 'Invoice', internetMessageId: '<m1@bad.example>', networkMessageId: 'nm-1', recipient: 'ana@fabrikam.example', deliveryAction: 'Delivered' }),
    entity('CloudApplication', 'n10', { friendlyName: 'Office 365', appId: 11161, appName: 'Office 365' }),
    entity('Mailbox', 'n11', { mailboxPrimaryAddress: 'ana@fabrikam.example', upn: 'ana@fabrikam.example' }),
  ];
  const alerts = [{ id: 'x/Entities/a9', name: 'a9', type: 'Microsoft.SecurityInsights/Entities', kind: 'SecurityAlert', properties: { systemAlertId: 'a9', tactics: [], alertDisplayName: 'Many failed logons', confidenceLevel: 'Unknown', severity: 'Low', vendorName: 'Microsoft', productName: 'Azure Security Center', alertType: 'BruteForce', processingEndTime: '2026-10-01T13:21:53.6158361Z', status: 'New', endTimeUtc: '2026-10-01T13:05:30.6158361Z', startTimeUtc: '2026-10-01T13:00:30.6158361Z', timeGenerated: '2026-10-01T13:21:53.6158361Z', resourceIdentifiers: [{ type: 'LogAnalytics', workspaceId: 'w' }], additionalData: { AlertMessageEnqueueTime: '2026-10-01T13:21:57.304Z' }, friendlyName: 'Many failed logons' } }];
  const comments = [{ id: 'x/comments/c1', name: 'c1', type: 'Microsoft.SecurityInsights/incidents/comments', etag: 'e', properties: { message: 'Looked at the scanner logs', createdTimeUtc: '2026-10-01T14:00:00Z', lastModifiedTimeUtc: '2026-10-01T14:00:00Z', author: { objectId: 'o1', email: 'ana@fabrikam.example', userPrincipalName: 'ana@fabrikam.example', name: 'Ana' } } }];

  it('maps an integer incident number, seven-digit fractions, the owner, comments and every entity kind', () => {
    const mapped = parseSentinelIncident(listed, new Where('f.json'), { alerts, entities, comments });
    expect(IncidentSchema.parse(mapped)).toEqual(mapped);
    expect(mapped).toMatchObject({ sourceId: '0b1c2d3e', status: 'resolved', classification: 'falsePositive', determination: 'incorrectAlertLogic', assignedTo: 'ana@fabrikam.example', tags: ['tactic:persistence', 'sentinel:4410'], updatedAt: '2026-10-02T08:15:30.615Z' });
    expect(mapped.comments).toEqual([
      { author: 'Ana', createdAt: '2026-10-01T14:00:00.000Z', text: 'Looked at the scanner logs' },
      { author: 'ana@fabrikam.example', createdAt: '2026-10-02T08:15:30.615Z', text: 'Scanner run by the red team' },
    ]);
    expect(mapped.alerts[0]).toMatchObject({ sourceId: 'a9', status: 'new', firstActivityAt: '2026-10-01T13:00:30.615Z', createdAt: '2026-10-01T13:21:53.615Z' });
    expect(mapped.alerts[0]!.evidence.map((e) => [e.sourceType, e.kind, e.key])).toEqual([
      ['Account', 'user', 'account:fabrikam\\administrator'],
      ['Account', 'user', 'account:lab\\administrator'],
      ['Host', 'device', 'host:srv-01'],
      ['Ip', 'ip', 'ip:198.51.100.4'],
      ['File', 'file', 'file:run.ps1'],
      ['FileHash', 'file', `filehash:${'ab'.repeat(32)}`],
      ['Process', 'process', 'process:4120'],
      ['Url', 'url', 'url:http://bad.example/a'],
      ['MailMessage', 'mailMessage', 'mailmessage:<m1@bad.example>'],
      ['CloudApplication', 'cloudApplication', 'cloudapplication:11161'],
      ['Mailbox', 'mailbox', 'mailbox:ana@fabrikam.example'],
    ]);
  });
});
