import type { Entity, EntityKind, Incident } from '../model/index.js';

export interface InvolvedEntity {
  kind: EntityKind;
  key: string;
  displayName: string;
  /** Union of the roles the entity played across alerts. */
  roles: string[];
  verdicts: string[];
  remediationStatuses: string[];
  /** Source ids of the alerts it appears in. */
  alertIds: string[];
  firstSeen: string | null;
  /** A few identifying attributes worth printing (hashes, command lines, addresses). */
  highlights: Record<string, string>;
}

const HIGHLIGHT_KEYS = [
  'userAccount.userPrincipalName',
  'userPrincipalName',
  'userAccount.accountName',
  'accountName',
  'deviceDnsName',
  'osPlatform',
  'ipAddress',
  'countryLetterCode',
  'url',
  'fileDetails.fileName',
  'fileDetails.filePath',
  'fileDetails.sha256',
  'fileName',
  'sha256',
  'processCommandLine',
  'imageFile.fileName',
  'primaryAddress',
  'senderIp',
  'subject',
  'p1Sender.emailAddress',
  'p2Sender.emailAddress',
  'registryKey',
  'registryValueName',
  'registryValue',
  'appId',
  'name',
  'category',
  'displayName',
];

const KIND_ORDER: EntityKind[] = ['user', 'mailbox', 'mailboxConfiguration', 'device', 'ip', 'url', 'mailMessage', 'mailCluster', 'file', 'process', 'registryKey', 'registryValue', 'cloudApplication', 'oauthApplication', 'securityGroup', 'cloudLogonSession', 'dns', 'malware', 'networkConnection', 'azureResource', 'other'];

/**
 * Calls `visit` for every piece of evidence of every alert, in order, with the identity that merges
 * the same entity across alerts (kind and key). Every merged view of an incident's entities (the
 * review's, the playbook generator's) walks the evidence through this one definition.
 */
export function forEachEntity<I extends Incident>(incident: I, visit: (id: string, entity: Entity, alert: I['alerts'][number]) => void): void {
  for (const alert of incident.alerts) {
    for (const e of alert.evidence) visit(`${e.kind}\u0000${e.key}`, e, alert);
  }
}

/** The entities involved in an incident, merged across alerts by kind and key. */
export function involvedEntities(incident: Incident): InvolvedEntity[] {
  const merged = new Map<string, InvolvedEntity>();
  forEachEntity(incident, (id, e, alert) => {
    let entry = merged.get(id);
    if (!entry) {
      entry = { kind: e.kind, key: e.key, displayName: e.displayName, roles: [], verdicts: [], remediationStatuses: [], alertIds: [], firstSeen: null, highlights: {} };
      merged.set(id, entry);
    }
    addUnique(entry.roles, ...e.roles);
    if (e.verdict) addUnique(entry.verdicts, e.verdict);
    if (e.remediationStatus) addUnique(entry.remediationStatuses, e.remediationStatus);
    addUnique(entry.alertIds, alert.sourceId);
    const seen = e.createdAt ?? alert.firstActivityAt ?? alert.createdAt;
    if (!entry.firstSeen || seen < entry.firstSeen) entry.firstSeen = seen;
    for (const k of HIGHLIGHT_KEYS) {
      const v = e.attributes[k];
      if (v !== undefined && v !== null && v !== '' && entry.highlights[k] === undefined) entry.highlights[k] = String(v);
    }
  });
  return [...merged.values()].sort((a, b) => {
    const k = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
    if (k !== 0) return k;
    if (b.alertIds.length !== a.alertIds.length) return b.alertIds.length - a.alertIds.length;
    return a.displayName.localeCompare(b.displayName);
  });
}

function addUnique(list: string[], ...values: string[]): void {
  for (const v of values) if (!list.includes(v)) list.push(v);
}
