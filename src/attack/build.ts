/**
 * Reduces a parsed STIX 2.0/2.1 ATT&CK bundle (any domain) to `KnowledgeBaseData`: one pass over
 * the objects, one over the relationships. Revoked objects follow `revoked-by` (chains too);
 * relationships that are themselves revoked or deprecated, or that touch a revoked or deprecated
 * object, are dropped.
 */
import { InputError } from '../model/errors.js';
import { DATA_FORMAT_VERSION, type KnowledgeBaseData, type RevokedEntry } from './data.js';
import type {
  Analytic,
  AttackDomain,
  AttackObjectBase,
  AttackObjectKind,
  Campaign,
  DataComponent,
  DetectionStrategy,
  Group,
  LogSourceRef,
  Mitigation,
  Software,
  Tactic,
  Technique,
  UsesRelationship,
} from './types.js';

type StixObject = Record<string, unknown>;

const DOMAINS: readonly AttackDomain[] = ['enterprise-attack', 'mobile-attack', 'ics-attack'];
const ATTACK_SOURCES = new Set(['mitre-attack', 'mitre-mobile-attack', 'mitre-ics-attack']);
const KILL_CHAINS = new Set(['mitre-attack', 'mitre-mobile-attack', 'mitre-ics-attack']);

const USES_SOURCES: ReadonlySet<string> = new Set(['intrusion-set', 'campaign', 'malware', 'tool']);
const USES_TARGETS: ReadonlySet<string> = new Set(['attack-pattern', 'malware', 'tool']);

const KIND_BY_TYPE: Record<string, AttackObjectKind> = {
  'x-mitre-tactic': 'tactic',
  'attack-pattern': 'technique',
  'course-of-action': 'mitigation',
  'x-mitre-detection-strategy': 'detection-strategy',
  'x-mitre-analytic': 'analytic',
  'x-mitre-data-component': 'data-component',
  'intrusion-set': 'group',
  campaign: 'campaign',
  malware: 'software',
  tool: 'software',
};

export interface BuildOptions {
  /** Where the bundle came from (path or URL), for messages and `meta.source`. */
  source: string;
  /** ATT&CK release to use when the bundle carries no x-mitre-collection (e.g. from the file name). */
  versionHint?: string;
}

interface Entry {
  kind: AttackObjectKind;
  stix: StixObject;
  record: AttackObjectBase & Record<string, unknown>;
  revoked: boolean;
  deprecated: boolean;
  /** The typed record made of it (set for live objects of the kinds relationships link). */
  typed?: Technique | Mitigation | DetectionStrategy | Group | Campaign | Software;
}

const str = (o: StixObject, key: string): string | null => {
  const v = o[key];
  return typeof v === 'string' ? v : null;
};
const strings = (o: StixObject, key: string): string[] => {
  const v = o[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};
const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The ATT&CK ID and page of a STIX object (its `mitre-*` external reference). */
function attackRef(o: StixObject): { id: string | null; url: string | null } {
  const refs = o.external_references;
  if (Array.isArray(refs)) {
    for (const ref of refs as unknown[]) {
      if (ref && typeof ref === 'object') {
        const r = ref as StixObject;
        const source = str(r, 'source_name');
        const id = str(r, 'external_id');
        if (source && ATTACK_SOURCES.has(source) && id) return { id, url: str(r, 'url') };
      }
    }
  }
  return { id: null, url: null };
}

/** The ATT&CK release named in a file name or URL: `enterprise-attack-18.1.json.gz` -> `18.1`. */
export function versionFromName(source: string): string | undefined {
  return /-(\d+\.\d+(?:\.\d+)?)\.json(?:\.gz)?(?:[?#].*)?$/i.exec(source)?.[1];
}

function domainFromName(source: string): AttackDomain | undefined {
  return DOMAINS.find((d) => source.toLowerCase().includes(d));
}

function validateBundle(bundle: unknown, source: string): StixObject[] {
  if (!bundle || typeof bundle !== 'object' || Array.isArray(bundle)) {
    throw new InputError('not a STIX bundle: expected a JSON object with "type": "bundle"', { file: source, path: '$' });
  }
  const b = bundle as StixObject;
  if (b.type !== 'bundle') throw new InputError(`not a STIX bundle: "type" is ${JSON.stringify(b.type ?? null)}, expected "bundle"`, { file: source, path: '$.type' });
  if (!Array.isArray(b.objects)) throw new InputError('not a STIX bundle: "objects" is not an array', { file: source, path: '$.objects' });
  // Each object is checked by the one pass that reads it (checkObject), not by a pass of its own.
  return b.objects as StixObject[];
}

function checkObject(o: unknown, i: number, source: string): asserts o is StixObject & { type: string; id: string } {
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new InputError('expected a STIX object', { file: source, path: `$.objects[${i}]` });
  const so = o as StixObject;
  if (typeof so.type !== 'string') throw new InputError('"type" is missing or not a string', { file: source, path: `$.objects[${i}].type` });
  if (typeof so.id !== 'string') throw new InputError('"id" is missing or not a string', { file: source, path: `$.objects[${i}].id` });
}

export function buildKnowledgeBaseData(bundle: unknown, options: BuildOptions): KnowledgeBaseData {
  const { source } = options;
  const objects = validateBundle(bundle, source);
  const entries = new Map<string, Entry>();
  const relationships: StixObject[] = [];
  const matrices: StixObject[] = [];
  const dataSourceNames = new Map<string, string>();
  let collection: StixObject | undefined;
  const domainVotes = new Map<string, number>();

  for (let i = 0; i < objects.length; i++) {
    const o: unknown = objects[i];
    checkObject(o, i, source);
    const type = o.type;
    if (type === 'relationship') {
      relationships.push(o);
      continue;
    }
    if (type === 'x-mitre-matrix') matrices.push(o);
    else if (type === 'x-mitre-collection') collection = o;
    else if (type === 'x-mitre-data-source') dataSourceNames.set(o.id as string, str(o, 'name') ?? '');
    const kind = KIND_BY_TYPE[type];
    if (!kind) continue;
    const domains = o.x_mitre_domains;
    if (Array.isArray(domains) && typeof domains[0] === 'string') domainVotes.set(domains[0], (domainVotes.get(domains[0]) ?? 0) + 1);
    const ref = attackRef(o);
    const base: AttackObjectBase & Record<string, unknown> = {
      id: ref.id ?? (o.id as string),
      stixId: o.id as string,
      name: str(o, 'name') ?? '',
      description: str(o, 'description') ?? '',
      url: ref.url,
      deprecated: o.x_mitre_deprecated === true,
      version: str(o, 'x_mitre_version'),
      modified: str(o, 'modified'),
    };
    entries.set(o.id as string, { kind, stix: o, record: base, revoked: o.revoked === true, deprecated: base.deprecated });
  }

  // Revocations: the `revoked-by` relationships, followed to the end of each chain.
  const revokedBy = new Map<string, string>();
  for (const r of relationships) {
    if (r.relationship_type === 'revoked-by' && r.revoked !== true && typeof r.source_ref === 'string' && typeof r.target_ref === 'string') {
      revokedBy.set(r.source_ref, r.target_ref);
    }
  }
  const revoked: RevokedEntry[] = [];
  for (const e of entries.values()) {
    if (!e.revoked) continue;
    const chain = [e.record.id];
    const seen = new Set([e.record.stixId]);
    let next = revokedBy.get(e.record.stixId);
    let replacement: Entry | undefined;
    while (next !== undefined && !seen.has(next)) {
      seen.add(next);
      const target = entries.get(next);
      if (!target) break;
      if (!target.revoked) {
        replacement = target;
        break;
      }
      chain.push(target.record.id);
      next = revokedBy.get(next);
    }
    revoked.push({ id: e.record.id, stixId: e.record.stixId, kind: e.kind, name: e.record.name, chain, replacementId: replacement ? replacement.record.id : null });
  }

  // Typed records for every non-revoked object.
  const live = (e: Entry | undefined): e is Entry => e !== undefined && !e.revoked && !e.deprecated;
  const tacticsByShortname = new Map<string, Tactic>();
  const tactics: Tactic[] = [];
  const techniques = new Map<string, Technique>();
  const mitigations = new Map<string, Mitigation>();
  const strategies = new Map<string, DetectionStrategy>();
  const analytics = new Map<string, Analytic>();
  const components = new Map<string, DataComponent>();
  const groups = new Map<string, Group>();
  const campaigns = new Map<string, Campaign>();
  const software = new Map<string, Software>();
  const killChainPhases = new Map<string, string[]>();

  for (const e of entries.values()) {
    if (e.revoked) continue;
    const o = e.stix;
    const b = e.record;
    switch (e.kind) {
      case 'tactic': {
        const t: Tactic = { ...b, shortname: str(o, 'x_mitre_shortname') ?? '', order: Number.MAX_SAFE_INTEGER };
        tactics.push(t);
        if (!t.deprecated || !tacticsByShortname.has(t.shortname)) tacticsByShortname.set(t.shortname, t);
        break;
      }
      case 'technique': {
        const phases: string[] = [];
        const kcp = o.kill_chain_phases;
        if (Array.isArray(kcp)) {
          for (const p of kcp as unknown[]) {
            const phase = p as StixObject | null;
            if (phase && KILL_CHAINS.has(str(phase, 'kill_chain_name') ?? '') && typeof phase.phase_name === 'string') phases.push(phase.phase_name);
          }
        }
        killChainPhases.set(b.stixId, phases);
        const isSub = o.x_mitre_is_subtechnique === true;
        const t: Technique = {
          ...b,
          tactics: [],
          platforms: strings(o, 'x_mitre_platforms'),
          isSubtechnique: isSub,
          parentId: isSub && b.id.includes('.') ? (b.id.split('.')[0] as string) : null,
          subtechniqueIds: [],
          mitigationIds: [],
          detectionStrategyIds: [],
          dataSources: strings(o, 'x_mitre_data_sources'),
        };
        techniques.set(b.stixId, t);
        e.typed = t;
        break;
      }
      case 'mitigation': {
        const m: Mitigation = { ...b, techniqueIds: [] };
        mitigations.set(b.stixId, m);
        e.typed = m;
        break;
      }
      case 'detection-strategy': {
        const d: DetectionStrategy = { ...b, techniqueIds: [], analyticIds: [] };
        strategies.set(b.stixId, d);
        e.typed = d;
        break;
      }
      case 'analytic':
        analytics.set(b.stixId, { ...b, platforms: strings(o, 'x_mitre_platforms'), dataComponentIds: [], logSources: [] });
        break;
      case 'data-component': {
        const dsRef = str(o, 'x_mitre_data_source_ref');
        components.set(b.stixId, { ...b, dataSourceName: (dsRef && dataSourceNames.get(dsRef)) || null });
        break;
      }
      case 'group': {
        const g: Group = { ...b, aliases: strings(o, 'aliases').filter((a) => a !== b.name), techniqueIds: [], softwareIds: [], campaignIds: [] };
        groups.set(b.stixId, g);
        e.typed = g;
        break;
      }
      case 'campaign': {
        const c: Campaign = {
          ...b,
          aliases: strings(o, 'aliases').filter((a) => a !== b.name),
          firstSeen: str(o, 'first_seen'),
          lastSeen: str(o, 'last_seen'),
          techniqueIds: [],
          softwareIds: [],
          attributedTo: [],
        };
        campaigns.set(b.stixId, c);
        e.typed = c;
        break;
      }
      case 'software': {
        const sw: Software = {
          ...b,
          type: o.type === 'tool' ? 'tool' : 'malware',
          aliases: strings(o, 'x_mitre_aliases').filter((a) => a !== b.name),
          platforms: strings(o, 'x_mitre_platforms'),
          techniqueIds: [],
        };
        software.set(b.stixId, sw);
        e.typed = sw;
        break;
      }
    }
  }

  // Domain and release.
  const liveMatrices = matrices.filter((m) => m.revoked !== true && m.x_mitre_deprecated !== true);
  const matrix = liveMatrices[0] ?? matrices[0];
  let domain: AttackDomain | undefined;
  const collectionDomain = collection ? attackRef(collection).id ?? str(collection, 'name') : null;
  for (const candidate of [
    collectionDomain,
    matrix ? strings(matrix, 'x_mitre_domains')[0] : undefined,
    matrix ? attackRef(matrix).id : undefined,
    [...domainVotes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0],
    domainFromName(source),
  ]) {
    const hit = DOMAINS.find((d) => d === candidate);
    if (hit) {
      domain = hit;
      break;
    }
  }
  const version = (collection && str(collection, 'x_mitre_version')) || options.versionHint || versionFromName(source) || 'unknown';
  const b = bundle as StixObject;
  const specVersion = str(b, 'spec_version') ?? (objects[0] ? str(objects[0], 'spec_version') : null) ?? '2.0';

  // Matrix order.
  let order = 0;
  const tacticRefs = matrix ? strings(matrix, 'tactic_refs') : [];
  const tacticByStix = new Map(tactics.map((t) => [t.stixId, t]));
  for (const ref of tacticRefs) {
    const t = tacticByStix.get(ref);
    if (t && t.order === Number.MAX_SAFE_INTEGER) t.order = order++;
  }
  tactics.sort((x, y) => Number(x.deprecated) - Number(y.deprecated) || x.order - y.order || byId(x, y));
  for (const t of tactics) if (t.order === Number.MAX_SAFE_INTEGER) t.order = order++;
  const tacticOrder = (shortname: string): number => tacticsByShortname.get(shortname)?.order ?? Number.MAX_SAFE_INTEGER;
  for (const t of techniques.values()) {
    const phases = killChainPhases.get(t.stixId) ?? [];
    t.tactics = [...new Set(phases)].sort((x, y) => tacticOrder(x) - tacticOrder(y));
  }

  // Analytics -> data components; detection strategies -> analytics.
  for (const a of analytics.values()) {
    const refs = entries.get(a.stixId)?.stix.x_mitre_log_source_references;
    if (!Array.isArray(refs)) continue;
    const dcIds = new Set<string>();
    for (const raw of refs as unknown[]) {
      if (!raw || typeof raw !== 'object') continue;
      const r = raw as StixObject;
      const dcRef = str(r, 'x_mitre_data_component_ref');
      const dc = dcRef ? entries.get(dcRef) : undefined;
      const dataComponentId = dc && !dc.revoked ? dc.record.id : null;
      if (dataComponentId) dcIds.add(dataComponentId);
      const ls: LogSourceRef = { dataComponentId, name: str(r, 'name') ?? '', channel: str(r, 'channel') };
      a.logSources.push(ls);
    }
    a.dataComponentIds = [...dcIds];
  }
  for (const s of strategies.values()) {
    const ids = new Set<string>();
    for (const ref of strings(entries.get(s.stixId)?.stix ?? {}, 'x_mitre_analytic_refs')) {
      const a = entries.get(ref);
      if (a && !a.revoked && a.kind === 'analytic') ids.add(a.record.id);
    }
    s.analyticIds = [...ids];
  }

  // Relationships between live objects.
  const uses: UsesRelationship[] = [];
  // Pairs already taken, keyed by the entries themselves (no string keys to build and hash).
  const usesSeen = new Map<Entry, Set<Entry>>();
  for (const r of relationships) {
    if (r.revoked === true || r.x_mitre_deprecated === true) continue;
    const type = r.relationship_type;
    if (type === 'revoked-by' || typeof r.source_ref !== 'string' || typeof r.target_ref !== 'string') continue;
    const src = entries.get(r.source_ref);
    const dst = entries.get(r.target_ref);
    if (!live(src) || !live(dst)) continue;
    if (type === 'subtechnique-of') {
      if (src.kind === 'technique' && dst.kind === 'technique') {
        const child = src.typed as Technique;
        const parent = dst.typed as Technique;
        child.parentId = parent.id;
        parent.subtechniqueIds.push(child.id);
      }
    } else if (type === 'mitigates') {
      if (src.kind === 'mitigation' && dst.kind === 'technique') {
        const m = src.typed as Mitigation;
        const t = dst.typed as Technique;
        m.techniqueIds.push(t.id);
        t.mitigationIds.push(m.id);
      }
    } else if (type === 'detects') {
      if (src.kind === 'detection-strategy' && dst.kind === 'technique') {
        const det = src.typed as DetectionStrategy;
        const t = dst.typed as Technique;
        det.techniqueIds.push(t.id);
        t.detectionStrategyIds.push(det.id);
      }
    } else if (type === 'attributed-to') {
      if (src.kind === 'campaign' && dst.kind === 'group') {
        const c = src.typed as Campaign;
        const g = dst.typed as Group;
        c.attributedTo.push(g.id);
        g.campaignIds.push(c.id);
      }
    } else if (type === 'uses') {
      const sourceType = src.stix.type as UsesRelationship['sourceType'];
      const targetType = dst.stix.type as UsesRelationship['targetType'];
      if (!USES_SOURCES.has(sourceType) || !USES_TARGETS.has(targetType)) continue;
      let seen = usesSeen.get(src);
      if (!seen) usesSeen.set(src, (seen = new Set()));
      if (seen.has(dst)) continue;
      seen.add(dst);
      uses.push({ sourceId: src.record.id, sourceType, targetId: dst.record.id, targetType });
      const isTechnique = targetType === 'attack-pattern';
      if (src.kind === 'group' || src.kind === 'campaign') {
        const holder = src.typed as Group | Campaign;
        (isTechnique ? holder.techniqueIds : holder.softwareIds).push(dst.record.id);
      } else if (isTechnique) (src.typed as Software).techniqueIds.push(dst.record.id);
    }
  }

  const sortedIds = (ids: string[]): string[] => (ids.length < 2 ? ids : [...new Set(ids)].sort());
  const finish = <T extends AttackObjectBase>(map: Map<string, T>, fix: (x: T) => void): T[] => {
    const list = [...map.values()];
    for (const x of list) fix(x);
    return list.sort(byId);
  };

  return {
    formatVersion: DATA_FORMAT_VERSION,
    meta: { domain: domain ?? 'enterprise-attack', version, source, specVersion },
    tactics,
    techniques: finish(techniques, (t) => {
      t.subtechniqueIds = sortedIds(t.subtechniqueIds);
      t.mitigationIds = sortedIds(t.mitigationIds);
      t.detectionStrategyIds = sortedIds(t.detectionStrategyIds);
    }),
    mitigations: finish(mitigations, (m) => (m.techniqueIds = sortedIds(m.techniqueIds))),
    detectionStrategies: finish(strategies, (s) => (s.techniqueIds = sortedIds(s.techniqueIds))),
    analytics: finish(analytics, () => undefined),
    dataComponents: finish(components, () => undefined),
    groups: finish(groups, (g) => {
      g.techniqueIds = sortedIds(g.techniqueIds);
      g.softwareIds = sortedIds(g.softwareIds);
      g.campaignIds = sortedIds(g.campaignIds);
    }),
    campaigns: finish(campaigns, (c) => {
      c.techniqueIds = sortedIds(c.techniqueIds);
      c.softwareIds = sortedIds(c.softwareIds);
      c.attributedTo = sortedIds(c.attributedTo);
    }),
    software: finish(software, (s) => (s.techniqueIds = sortedIds(s.techniqueIds))),
    uses,
    revoked: revoked.sort(byId),
  };
}
