import type { KnowledgeBase } from '../../attack/types.js';
import type { Entity } from '../../model/incident.js';

/**
 * Linking incidents into campaigns: groups of stored incidents that probably belong to the same
 * activity, because they behave alike (techniques and software, rare ones weighing more) or share
 * concrete attacker-side evidence (sender domain, attacker IP, file hash, URL, user agent).
 * Pure: give it the incidents; the caller reads them from the store.
 */

/** The parts of a stored incident clustering reads. */
export interface ClusterableIncident {
  id: string;
  title?: string;
  alerts: Array<{
    techniques: string[];
    threatFamilyName?: string | null;
    evidence: Array<Pick<Entity, 'kind' | 'roles' | 'attributes'> & { key?: string }>;
  }>;
}

export type IndicatorType = 'sender-domain' | 'sender-address' | 'ip' | 'file-hash' | 'url' | 'domain' | 'user-agent';

export interface Indicator {
  type: IndicatorType;
  value: string;
}

export interface ClusterOptions {
  /** Behavioural similarity (IDF-weighted Jaccard, 0..1) at or above which two incidents link without a shared indicator. Default 0.6. */
  behaviourThreshold?: number;
  /** Indicators seen in more than this share of incidents mean nothing (shared infrastructure, scanners). Default 0.5. */
  maxIndicatorShare?: number;
  /** Least behavioural similarity needed alongside a shared indicator. Default 0 (one shared attacker-side indicator links). */
  minBehaviourWithIndicator?: number;
}

export interface IncidentLink {
  a: string;
  b: string;
  /** IDF-weighted Jaccard similarity of techniques and software. */
  behaviour: number;
  sharedTechniques: string[];
  sharedSoftware: string[];
  sharedIndicators: Indicator[];
}

export interface IncidentCluster {
  id: string;
  incidents: string[];
  /** The pairs that tie the cluster together (single linkage). */
  links: IncidentLink[];
  /** Techniques seen in every member. */
  commonTechniques: string[];
  /** Every indicator that links two members. */
  sharedIndicators: Indicator[];
}

export interface ClusterResult {
  incidents: number;
  clusters: IncidentCluster[];
  /** Indicators ignored because too many incidents have them. */
  ignoredIndicators: Indicator[];
}

export interface Features {
  id: string;
  techniques: Set<string>;
  software: Set<string>;
  indicators: Map<string, Indicator>;
}

export function clusterIncidents(incidents: ClusterableIncident[], kb?: KnowledgeBase, options: ClusterOptions = {}): ClusterResult {
  const behaviourThreshold = options.behaviourThreshold ?? 0.6;
  const maxShare = options.maxIndicatorShare ?? 0.5;
  const minBehaviour = options.minBehaviourWithIndicator ?? 0;

  const features = incidents.map((incident) => featuresOf(incident, kb));
  const n = features.length;

  // Rarity across the incidents: shared rare behaviour says more than shared common behaviour.
  const df = new Map<string, number>();
  for (const f of features) for (const k of behaviourKeys(f)) df.set(k, (df.get(k) ?? 0) + 1);
  const idf = (k: string): number => Math.log(1 + n / (df.get(k) ?? 1));

  const indicatorDf = new Map<string, number>();
  for (const f of features) for (const k of f.indicators.keys()) indicatorDf.set(k, (indicatorDf.get(k) ?? 0) + 1);
  const tooCommon = new Set<string>();
  const ignoredIndicators: Indicator[] = [];
  for (const [k, count] of indicatorDf) {
    if (count > Math.max(2, maxShare * n)) {
      tooCommon.add(k);
      const indicator = features.find((f) => f.indicators.has(k))?.indicators.get(k);
      if (indicator) ignoredIndicators.push(indicator);
    }
  }

  const parent = features.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      const p = parent[i] as number;
      parent[i] = parent[p] as number;
      i = p;
    }
    return i;
  };
  const links: Array<IncidentLink & { i: number; j: number }> = [];
  for (let i = 0; i < n; i += 1) {
    const a = features[i] as Features;
    for (let j = i + 1; j < n; j += 1) {
      const b = features[j] as Features;
      const behaviour = weightedJaccard(behaviourKeys(a), behaviourKeys(b), idf);
      const sharedIndicators: Indicator[] = [];
      for (const [k, indicator] of a.indicators) if (b.indicators.has(k) && !tooCommon.has(k)) sharedIndicators.push(indicator);
      const linked = behaviour >= behaviourThreshold || (sharedIndicators.length > 0 && behaviour >= minBehaviour);
      if (!linked) continue;
      links.push({
        i,
        j,
        a: a.id,
        b: b.id,
        behaviour: Math.round(behaviour * 1000) / 1000,
        sharedTechniques: [...a.techniques].filter((t) => b.techniques.has(t)).sort(),
        sharedSoftware: [...a.software].filter((s) => b.software.has(s)).sort(),
        sharedIndicators: sortIndicators(sharedIndicators),
      });
      const ri = find(i);
      const rj = find(j);
      if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
    }
  }

  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i += 1) {
    const root = find(i);
    members.set(root, [...(members.get(root) ?? []), i]);
  }
  const clusters: IncidentCluster[] = [];
  for (const [root, list] of members) {
    if (list.length < 2) continue;
    const memberSet = new Set(list);
    const clusterLinks = links.filter((l) => memberSet.has(l.i) && find(l.i) === root).map(({ i: _i, j: _j, ...link }) => link);
    const first = features[list[0] as number] as Features;
    const commonTechniques = [...first.techniques].filter((t) => list.every((m) => (features[m] as Features).techniques.has(t))).sort();
    const indicatorMap = new Map<string, Indicator>();
    for (const l of clusterLinks) for (const ind of l.sharedIndicators) indicatorMap.set(indicatorKey(ind), ind);
    clusters.push({
      id: '',
      incidents: list.map((m) => (features[m] as Features).id),
      links: clusterLinks,
      commonTechniques,
      sharedIndicators: sortIndicators([...indicatorMap.values()]),
    });
  }
  clusters.sort((x, y) => y.incidents.length - x.incidents.length || (x.incidents[0] ?? '').localeCompare(y.incidents[0] ?? ''));
  clusters.forEach((c, k) => (c.id = `cluster-${k + 1}`));
  return { incidents: n, clusters, ignoredIndicators: sortIndicators(ignoredIndicators) };
}

function behaviourKeys(f: Features): Set<string> {
  return new Set([...f.techniques, ...[...f.software].map((s) => `software:${s}`)]);
}

function weightedJaccard(a: Set<string>, b: Set<string>, weight: (k: string) => number): number {
  let inter = 0;
  let union = 0;
  for (const k of a) {
    const w = weight(k);
    union += w;
    if (b.has(k)) inter += w;
  }
  for (const k of b) if (!a.has(k)) union += weight(k);
  return union === 0 ? 0 : inter / union;
}

/** Techniques, software and attacker-side indicators of one incident. */
export function featuresOf(incident: ClusterableIncident, kb?: KnowledgeBase): Features {
  const techniques = new Set<string>();
  const software = new Set<string>();
  const indicators = new Map<string, Indicator>();
  const add = (type: IndicatorType, raw: unknown): void => {
    if (typeof raw !== 'string') return;
    for (const part of type === 'user-agent' ? [raw] : raw.split(/,\s*/)) {
      const value = normaliseIndicator(type, part);
      if (value === null) continue;
      const indicator = { type, value };
      indicators.set(indicatorKey(indicator), indicator);
    }
  };
  for (const alert of incident.alerts) {
    for (const t of alert.techniques) {
      const id = kb ? (kb.technique(t)?.object.id ?? null) : t.trim().toUpperCase();
      if (id) techniques.add(id);
    }
    const family = alert.threatFamilyName;
    if (family && kb) {
      const s = kb.softwareByRef(family);
      if (s) software.add(s.object.id);
    }
    for (const e of alert.evidence) {
      const roles = e.roles.map((r) => r.toLowerCase());
      // The organisation's own assets are not the attacker's.
      if (roles.includes('victim') || roles.includes('compromised')) continue;
      const a = lowerKeys(e.attributes);
      switch (e.kind) {
        case 'ip':
          add('ip', a['ipaddress'] ?? a['address']);
          break;
        case 'url':
          add('url', a['url']);
          break;
        case 'file':
          add('file-hash', a['filedetails.sha256'] ?? a['sha256'] ?? a['filedetails.sha1'] ?? a['sha1'] ?? a['filedetails.md5'] ?? a['md5'] ?? a['value']);
          break;
        case 'mailMessage':
          add('ip', a['senderip']);
          add('sender-address', a['p1sender.emailaddress'] ?? a['p1sender']);
          add('sender-address', a['p2sender.emailaddress'] ?? a['p2sender'] ?? a['sender']);
          add('sender-domain', a['p1sender.domainname'] ?? domainOf(a['p1sender.emailaddress'] ?? a['p1sender']));
          add('sender-domain', a['p2sender.domainname'] ?? domainOf(a['p2sender.emailaddress'] ?? a['p2sender'] ?? a['sender']));
          add('url', a['urls']);
          break;
        case 'cloudLogonSession':
          add('user-agent', a['useragent']);
          break;
        case 'dns':
          add('domain', a['domainname'] ?? a['dnsservername']);
          break;
        case 'malware':
          if (kb) {
            const name = a['name'];
            const s = typeof name === 'string' ? kb.softwareByRef(name) : undefined;
            if (s) software.add(s.object.id);
          }
          break;
        default:
          break;
      }
    }
  }
  return { id: incident.id, techniques, software, indicators };
}

function lowerKeys(a: Record<string, string | number | boolean | null>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(a)) out[k.toLowerCase()] = v;
  return out;
}

function domainOf(address: unknown): string | undefined {
  if (typeof address !== 'string') return undefined;
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1) : undefined;
}

function normaliseIndicator(type: IndicatorType, raw: string): string | null {
  const value = raw.trim();
  if (value === '') return null;
  if (type === 'ip') return isOwnAddress(value) ? null : value.toLowerCase();
  if (type === 'url' || type === 'user-agent') return value;
  return value.toLowerCase();
}

/** Private, loopback, link-local and unspecified addresses belong to the organisation (or to nobody). */
export function isOwnAddress(ip: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const v6 = ip.toLowerCase();
  return v6 === '::1' || v6 === '::' || v6.startsWith('fe80:') || v6.startsWith('fc') || v6.startsWith('fd');
}

function indicatorKey(i: Indicator): string {
  return `${i.type}\u0000${i.value}`;
}

function sortIndicators(list: Indicator[]): Indicator[] {
  return [...list].sort((x, y) => x.type.localeCompare(y.type) || x.value.localeCompare(y.value));
}
