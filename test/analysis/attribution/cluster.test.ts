import { describe, expect, it } from 'vitest';
import { clusterIncidents, isOwnAddress, type ClusterableIncident } from '../../../src/analysis/attribution/index.js';
import type { StoredIncident } from '../../../src/model/incident.js';
import { fakeKb } from './fake-kb.js';

// Stored incidents are clusterable as they are (checked by the compiler).
export const storedIsClusterable = (incident: StoredIncident): ClusterableIncident => incident;

type Evidence = ClusterableIncident['alerts'][number]['evidence'][number];
const ev = (kind: Evidence['kind'], attributes: Evidence['attributes'], roles: string[] = []): Evidence => ({ kind, roles, attributes });
const incident = (id: string, techniques: string[], evidence: Evidence[], threatFamilyName: string | null = null): ClusterableIncident => ({
  id,
  alerts: [{ techniques, evidence, threatFamilyName }],
});

const mail = (domain: string, senderIp: string): Evidence =>
  ev('mailMessage', { 'p1Sender.emailAddress': `billing@${domain}`, 'p1Sender.domainName': domain, senderIp, subject: 'Invoice' });

describe('clusterIncidents', () => {
  it('links incidents through shared attacker-side evidence and says which', () => {
    const result = clusterIncidents([
      incident('inc_a', ['T1566.001'], [mail('invoices-example.net', '203.0.113.7'), ev('user', { userPrincipalName: 'jdoe@contoso.com' }, ['victim'])]),
      incident('inc_b', ['T1059.001'], [mail('invoices-example.net', '198.51.100.20'), ev('user', { userPrincipalName: 'jdoe@contoso.com' }, ['victim'])]),
      incident('inc_c', ['T1486'], [ev('ip', { ipAddress: '192.0.2.44' })]),
      incident('inc_d', ['T1486', 'T1490'], [ev('ip', { ipAddress: '10.1.2.3' })]),
      incident('inc_e', ['T1021.001'], [ev('ip', { ipAddress: '10.1.2.3' })]),
    ]);
    expect(result.incidents).toBe(5);
    expect(result.clusters).toHaveLength(1);
    const cluster = result.clusters[0]!;
    expect(cluster.id).toBe('cluster-1');
    expect(cluster.incidents).toEqual(['inc_a', 'inc_b']);
    expect(cluster.sharedIndicators).toEqual([
      { type: 'sender-address', value: 'billing@invoices-example.net' },
      { type: 'sender-domain', value: 'invoices-example.net' },
    ]);
    expect(cluster.links[0]).toMatchObject({ a: 'inc_a', b: 'inc_b', behaviour: 0, sharedTechniques: [] });
  });

  it('links incidents that behave alike, rare behaviour weighing most, and chains them (single linkage)', () => {
    const kb = fakeKb();
    const result = clusterIncidents(
      [
        incident('inc_1', ['T1195.002', 'T1027', 'T1218.011'], [], 'Sunshine'),
        incident('inc_2', ['T1195.002', 'T1027', 'T1218.011', 'T1105'], [], 'SUNSHINE-ALIAS'),
        incident('inc_3', ['T1195.002', 'T1027', 'T1105', 'T1071.001'], [ev('file', { 'fileDetails.sha256': 'AB'.repeat(32) })], 'Sunshine'),
        incident('inc_4', ['T1105', 'T1071.001'], [ev('file', { 'fileDetails.sha256': 'ab'.repeat(32) })]),
        incident('inc_5', ['T1566.001', 'T1059.001'], []),
      ],
      kb,
    );
    expect(result.clusters).toHaveLength(1);
    const cluster = result.clusters[0]!;
    expect(cluster.incidents).toEqual(['inc_1', 'inc_2', 'inc_3', 'inc_4']);
    const l12 = cluster.links.find((l) => l.a === 'inc_1' && l.b === 'inc_2')!;
    expect(l12.sharedSoftware).toEqual(['S0600']);
    expect(l12.behaviour).toBeGreaterThanOrEqual(0.6);
    // inc_4 joins only through the file hash it shares with inc_3 (hashes compare case-insensitively).
    const l34 = cluster.links.find((l) => l.a === 'inc_3' && l.b === 'inc_4')!;
    expect(l34.sharedIndicators).toEqual([{ type: 'file-hash', value: 'ab'.repeat(32) }]);
    expect(cluster.links.some((l) => l.a === 'inc_1' && l.b === 'inc_4')).toBe(false);
    expect(cluster.commonTechniques).toEqual([]);
  });

  it('ignores indicators that most incidents share', () => {
    const scanner = ev('ip', { ipAddress: '198.51.100.99' });
    const result = clusterIncidents(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((x, i) => incident(`inc_${x}`, [`T10${i}0`], [scanner])),
    );
    expect(result.clusters).toEqual([]);
    expect(result.ignoredIndicators).toEqual([{ type: 'ip', value: '198.51.100.99' }]);
  });

  it('reads user agents from cloud logon sessions and leaves compromised assets out', () => {
    const ua = 'python-requests/2.31.0';
    const result = clusterIncidents([
      incident('inc_x', ['T1078'], [ev('cloudLogonSession', { UserAgent: ua }), ev('ip', { ipAddress: '203.0.113.50' }, ['compromised'])]),
      incident('inc_y', ['T1110'], [ev('cloudLogonSession', { userAgent: ua }), ev('ip', { ipAddress: '203.0.113.50' }, ['compromised'])]),
    ]);
    expect(result.clusters[0]?.sharedIndicators).toEqual([{ type: 'user-agent', value: ua }]);
  });
});

describe('isOwnAddress', () => {
  it('knows private and special ranges', () => {
    expect(['10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '::1', 'fe80::1', 'fd00::1'].every(isOwnAddress)).toBe(true);
    expect(['203.0.113.7', '172.32.0.1', '8.8.8.8', '2001:db8::1'].some(isOwnAddress)).toBe(false);
  });
});
