import type { KnowledgeBase } from '../attack/types.js';
import { forEachEntity } from '../analysis/entities.js';
import type { Entity, StoredIncident } from '../model/incident.js';

/**
 * An incident's evidence as remediation needs it: every entity the alerts name, merged across
 * alerts (roles, verdicts, attributes and the techniques of the alerts that name it), and what the
 * attributes tell (the Defender device id, the Entra user, a file hash, a sender domain).
 */

export interface MergedEntity {
  kind: Entity['kind'];
  key: string;
  displayName: string;
  roles: Set<string>;
  verdicts: Set<string>;
  attributes: Record<string, string>;
  techniques: Set<string>;
}

export function mergeEntities(incident: StoredIncident, kb: KnowledgeBase): MergedEntity[] {
  const map = new Map<string, MergedEntity>();
  const techniquesOf = new Map<object, string[]>();
  forEachEntity(incident, (k, e, alert) => {
    let techniques = techniquesOf.get(alert);
    if (!techniques) techniquesOf.set(alert, (techniques = alert.techniques.map((t) => kb.technique(t)?.object.id).filter((t): t is string => Boolean(t))));
    let m = map.get(k);
    if (!m) {
      m = { kind: e.kind, key: e.key, displayName: e.displayName || e.key, roles: new Set(), verdicts: new Set(), attributes: {}, techniques: new Set() };
      map.set(k, m);
    }
    for (const r of e.roles) m.roles.add(r.toLowerCase());
    if (e.verdict) m.verdicts.add(e.verdict.toLowerCase());
    for (const [a, v] of Object.entries(e.attributes)) if (v !== null && v !== '' && m.attributes[a.toLowerCase()] === undefined) m.attributes[a.toLowerCase()] = String(v);
    for (const t of techniques) m.techniques.add(t);
  });
  return [...map.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
}

export function attr(e: MergedEntity, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = e.attributes[n.toLowerCase()];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** Evidence Defender judged harmless. */
export function clean(e: MergedEntity): boolean {
  return (e.verdicts.has('nothreatsfound') || e.verdicts.has('clean')) && !e.verdicts.has('malicious') && !e.verdicts.has('suspicious');
}

/** IPs are blocked only when marked as the attacker's (an incident's IPs are often the victim's own). */
export function hostile(e: MergedEntity): boolean {
  if (clean(e)) return false;
  return e.verdicts.has('malicious') || e.verdicts.has('suspicious') || ['attacker', 'commandandcontrol', 'suspicious'].some((r) => e.roles.has(r));
}

export function mdeDeviceId(e: MergedEntity): string | undefined {
  const v = attr(e, 'mdeDeviceId', 'deviceId', 'machineId');
  return v && /^[0-9a-f]{40}$/i.test(v) ? v.toLowerCase() : undefined;
}

export function userGraphId(e: MergedEntity): string | undefined {
  return attr(e, 'userAccount.azureAdUserId', 'azureAdUserId', 'aadUserId', 'userAccount.userPrincipalName', 'userPrincipalName') ?? (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e.key) ? e.key : undefined);
}

export function fileHash(e: MergedEntity): { type: string; value: string } | undefined {
  const sha256 = attr(e, 'fileDetails.sha256', 'sha256');
  if (sha256 && /^[0-9a-f]{64}$/i.test(sha256)) return { type: 'FileSha256', value: sha256.toLowerCase() };
  const sha1 = attr(e, 'fileDetails.sha1', 'sha1');
  if (sha1 && /^[0-9a-f]{40}$/i.test(sha1)) return { type: 'FileSha1', value: sha1.toLowerCase() };
  const md5 = attr(e, 'fileDetails.md5', 'md5');
  if (md5 && /^[0-9a-f]{32}$/i.test(md5)) return { type: 'FileMd5', value: md5.toLowerCase() };
  if (/^[0-9a-f]{64}$/i.test(e.key)) return { type: 'FileSha256', value: e.key.toLowerCase() };
  return undefined;
}

export function senderDomain(e: MergedEntity): string | undefined {
  const sender = attr(e, 'p1Sender', 'p2Sender', 'senderFromAddress', 'sender', 'senderMailFromAddress');
  const domain = sender?.split('@').pop()?.toLowerCase();
  return domain && /^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain) ? domain : undefined;
}
