/**
 * A small in-memory KnowledgeBase for attribution unit tests: a handful of techniques (with
 * sub-techniques), software, groups and campaigns over plain arrays.
 */
import type { Campaign, Group, KnowledgeBase, Resolved, Software, Technique } from '../../../src/attack/types.js';

const base = { stixId: 'x--0', description: '', url: null, deprecated: false, version: '1.0', modified: null };

function technique(id: string, name: string): Technique {
  const parentId = id.includes('.') ? (id.split('.')[0] ?? null) : null;
  return { ...base, id, name, tactics: [], platforms: [], isSubtechnique: parentId !== null, parentId, subtechniqueIds: [], mitigationIds: [], detectionStrategyIds: [], dataSources: [] };
}

export const techniques: Technique[] = [
  technique('T1566', 'Phishing'),
  technique('T1566.001', 'Spearphishing Attachment'),
  technique('T1566.002', 'Spearphishing Link'),
  technique('T1059', 'Command and Scripting Interpreter'),
  technique('T1059.001', 'PowerShell'),
  technique('T1059.003', 'Windows Command Shell'),
  technique('T1003', 'OS Credential Dumping'),
  technique('T1003.001', 'LSASS Memory'),
  technique('T1105', 'Ingress Tool Transfer'),
  technique('T1071', 'Application Layer Protocol'),
  technique('T1071.001', 'Web Protocols'),
  technique('T1486', 'Data Encrypted for Impact'),
  technique('T1490', 'Inhibit System Recovery'),
  technique('T1195', 'Supply Chain Compromise'),
  technique('T1195.002', 'Compromise Software Supply Chain'),
  technique('T1027', 'Obfuscated Files or Information'),
  technique('T1218', 'System Binary Proxy Execution'),
  technique('T1218.011', 'Rundll32'),
  technique('T1047', 'Windows Management Instrumentation'),
  technique('T1021', 'Remote Services'),
  technique('T1021.001', 'Remote Desktop Protocol'),
];
for (const t of techniques) if (t.parentId) techniques.find((p) => p.id === t.parentId)?.subtechniqueIds.push(t.id);

function sw(id: string, name: string, type: 'malware' | 'tool', aliases: string[], techniqueIds: string[]): Software {
  return { ...base, id, name, type, aliases, platforms: [], techniqueIds };
}

export const software: Software[] = [
  sw('S0002', 'Mimikatz', 'tool', ['Mimikatz'], ['T1003.001']),
  sw('S0154', 'Cobalt Strike', 'malware', ['Cobalt Strike', 'Beacon'], ['T1059.001', 'T1071.001', 'T1105']),
  sw('S0500', 'LockDown', 'malware', [], ['T1486', 'T1490']),
  sw('S0600', 'Sunshine', 'malware', ['SUNSHINE-ALIAS'], ['T1195.002', 'T1027']),
];

function group(id: string, name: string, aliases: string[], techniqueIds: string[], softwareIds: string[], campaignIds: string[]): Group {
  return { ...base, id, name, aliases, techniqueIds, softwareIds, campaignIds };
}

export const groups: Group[] = [
  // A phishing-and-PowerShell crew with Cobalt Strike.
  group('G0001', 'Phish Crew', ['Phish Crew', 'TA-PHISH'], ['T1566.001', 'T1059.001', 'T1105', 'T1071.001'], ['S0154'], ['C0001']),
  // A ransomware crew.
  group('G0002', 'Lock Crew', ['Lock Crew'], ['T1486', 'T1490', 'T1021.001', 'T1047', 'T1059.003'], ['S0500', 'S0002'], []),
  // A supply-chain specialist.
  group('G0003', 'Chain Crew', ['Chain Crew', 'QUIET HARBOR'], ['T1195.002', 'T1027', 'T1218.011'], ['S0600'], ['C0002']),
  // A generalist that does a little of everything common.
  group('G0004', 'Everything Crew', ['Everything Crew'], ['T1566', 'T1059', 'T1059.003', 'T1003.001', 'T1105', 'T1071.001', 'T1021.001', 'T1047', 'T1027'], ['S0002'], []),
];

function campaign(id: string, name: string, techniqueIds: string[], softwareIds: string[], attributedTo: string[], firstSeen: string, lastSeen: string): Campaign {
  return { ...base, id, name, aliases: [name], firstSeen, lastSeen, techniqueIds, softwareIds, attributedTo };
}

export const campaigns: Campaign[] = [
  campaign('C0001', 'Operation Hook', ['T1566.002', 'T1059.001', 'T1218.011'], ['S0154'], ['G0001'], '2021-01-01T00:00:00.000Z', '2021-06-30T00:00:00.000Z'),
  campaign('C0002', 'Operation Quiet Update', ['T1195.002', 'T1027', 'T1071.001'], ['S0600'], ['G0003'], '2020-03-01T00:00:00.000Z', '2020-12-31T00:00:00.000Z'),
];

function resolved<T>(object: T, query: string, revokedFrom: string[] | null = null): Resolved<T> {
  return { object, query, revokedFrom, deprecated: false, mappedFrom: null };
}

/** Revoked technique IDs and their replacements, as ATT&CK's `revoked-by` would have them. */
const revoked = new Map([['T1086', 'T1059.001']]);

export function fakeKb(): KnowledgeBase {
  const find = <T extends { id: string; name: string }>(list: T[], ref: string): T | undefined =>
    list.find((o) => o.id.toLowerCase() === ref.toLowerCase() || o.name.toLowerCase() === ref.toLowerCase());
  return {
    meta: { domain: 'enterprise-attack', version: 'test-1.0', source: 'fake', specVersion: '2.1' },
    counts: () => ({ domain: 'enterprise-attack', version: 'test-1.0', techniques: 0, subtechniques: 0, tactics: 0, groups: groups.length, campaigns: campaigns.length, software: software.length, mitigations: 0, detectionStrategies: 0 }),
    tactics: () => [],
    techniques: () => techniques,
    groups: () => groups,
    campaigns: () => campaigns,
    software: () => software,
    mitigations: () => [],
    detectionStrategies: () => [],
    usesRelationships: () => [],
    tactic: () => undefined,
    technique(ref) {
      const direct = find(techniques, ref);
      if (direct) return resolved(direct, ref);
      const to = revoked.get(ref.toUpperCase());
      const replacement = to ? find(techniques, to) : undefined;
      return replacement ? resolved(replacement, ref, [ref.toUpperCase()]) : undefined;
    },
    group: (ref) => {
      const g = find(groups, ref);
      return g ? resolved(g, ref) : undefined;
    },
    campaign: (ref) => {
      const c = find(campaigns, ref);
      return c ? resolved(c, ref) : undefined;
    },
    softwareByRef(ref) {
      const s = software.find((o) => [o.id, o.name, ...o.aliases].some((k) => k.toLowerCase() === ref.toLowerCase()));
      return s ? resolved(s, ref) : undefined;
    },
    mitigation: () => undefined,
    detectionStrategy: () => undefined,
    analytic: () => undefined,
    dataComponent: () => undefined,
    lookup: () => undefined,
  };
}
