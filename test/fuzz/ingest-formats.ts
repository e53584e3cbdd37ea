/**
 * The importers the fuzz suite exercises: one example record per kind of record each format reads.
 * A new format (OCSF, Wazuh, ...) is one more line here with an example record: every property of
 * test/fuzz/ingest.fuzz.test.ts then runs over it.
 */
import type { IngestFormat } from '../../src/ingest/index.js';

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
];
