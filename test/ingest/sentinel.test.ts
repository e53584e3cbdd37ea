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
