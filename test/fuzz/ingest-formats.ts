/**
 * The importers the fuzz suite exercises: one example record per kind of record each format reads.
 * A new format (OCSF, Wazuh, ...) is one more line here with an example record: every property of
 * test/fuzz/ingest.fuzz.test.ts then runs over it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IngestFormat } from '../../src/ingest/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ingest');

/** A fixture's JSON: the whole file, or with `line` the given line of an NDJSON file. */
function fixture(path: string, line?: number): unknown {
  const text = readFileSync(join(fixtures, path), 'utf8');
  return JSON.parse(line === undefined ? text : (text.split('\n')[line] as string)) as unknown;
}

/** A record inside a fixture, reached by property names and array indexes. */
function recordOf(value: unknown, ...steps: (string | number)[]): Record<string, unknown> {
  let at = value;
  for (const step of steps) at = (at as Record<string | number, unknown>)[step];
  return at as Record<string, unknown>;
}

export interface FuzzFormat {
  name: string;
  /** The `--format` that reads it (`auto` detection is fuzzed too). */
  format: IngestFormat;
  example: Record<string, unknown>;
}

const graphAlert = {
  '@odata.type': '#microsoft.graph.security.alert',
  id: 'da1',
  incidentId: '28282',
  status: 'new',
  severity: 'low',
  classification: 'unknown',
  title: 'Suspicious PowerShell',
  createdDateTime: '2026-03-01T10:00:00Z',
  lastUpdateDateTime: '2026-03-01T11:00:00.1234567Z',
  mitreTechniques: ['T1059.001'],
  comments: [{ comment: 'seen', createdByDisplayName: 'ann', createdDateTime: '2026-03-01T10:30:00Z' }],
  evidence: [
    { '@odata.type': '#microsoft.graph.security.userEvidence', roles: ['compromised'], userAccount: { accountName: 'bob', domainName: 'CONTOSO', userPrincipalName: 'bob@contoso.com' } },
    { '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '10.1.2.3', verdict: 'suspicious' },
  ],
};

const m365dAlert = {
  alertId: 'ca1',
  incidentId: 924565,
  creationTime: '2026-03-01T10:00:00Z',
  lastUpdatedTime: '2026-03-01T11:00:00Z',
  title: 'Ransomware activity',
  severity: 'Medium',
  status: 'New',
  devices: [{ mdatpDeviceId: 'abc', deviceDnsName: 'host1' }],
  entities: [{ entityType: 'User', accountName: 'bob', domainName: 'CONTOSO' }, { entityType: 'Ip', ipAddress: '10.0.0.1' }],
};

export const FUZZ_FORMATS: FuzzFormat[] = [
  { name: 'Graph incident', format: 'graph', example: { id: '2972395', displayName: 'Multi-stage', status: 'active', severity: 'high', createdDateTime: '2026-03-01T09:00:00Z', customTags: ['x'], alerts: [graphAlert] } },
  { name: 'Graph alert', format: 'graph', example: graphAlert },
  { name: 'm365d incident', format: 'm365d', example: { incidentId: 924565, incidentName: 'Ransomware', createdTime: '2026-03-01T09:00:00Z', status: 'Active', severity: 'High', tags: ['t'], alerts: [m365dAlert] } },
  { name: 'm365d alert', format: 'm365d', example: { ...m365dAlert, incidentId: 77 } },
  {
    name: 'Sentinel incident',
    format: 'sentinel',
    example: {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/incidents/73e01a99',
      name: '73e01a99',
      type: 'Microsoft.SecurityInsights/incidents',
      properties: {
        title: 'My incident',
        severity: 'High',
        status: 'Closed',
        classification: 'TruePositive',
        owner: { email: 'jane@contoso.com', assignedTo: 'Jane' },
        labels: [{ labelName: 'phishing', labelType: 'User' }],
        createdTimeUtc: '2026-11-01T10:00:00Z',
        lastModifiedTimeUtc: '2026-11-01T11:00:00.1234567Z',
        incidentNumber: 12,
        additionalData: { tactics: ['InitialAccess'], techniques: ['T1566'] },
      },
    },
  },
  // The other sources: the first record of the project's own fixtures (test/fixtures/ingest/<source>/).
  { name: 'OCSF Detection Finding', format: 'ocsf', example: recordOf(fixture('ocsf/detection-findings.ndjson', 0)) },
  { name: 'OCSF Incident Finding', format: 'ocsf', example: recordOf(fixture('ocsf/incident-with-finding.json'), 0) },
  { name: 'Wazuh alert', format: 'wazuh', example: recordOf(fixture('wazuh/alerts.json', 0)) },
  { name: 'Splunk ES notable', format: 'splunk', example: recordOf(fixture('splunk/notables-export.ndjson', 0), 'result') },
  { name: 'Elastic alert', format: 'elastic', example: recordOf(fixture('elastic/alerts-search.json'), 'hits', 'hits', 0, '_source') },
  { name: 'Elastic case', format: 'elastic', example: recordOf(fixture('elastic/case.json')) },
  { name: 'TheHive case', format: 'thehive', example: recordOf(fixture('thehive/case-th5.json')) },
  { name: 'TheHive alert', format: 'thehive', example: recordOf(fixture('thehive/query-alerts.json'), 0) },
];
