/**
 * The full picture of one ATT&CK object, for `hindsight attack lookup` and the API: the object
 * with its relations spelled out as ID + name.
 */
import type { AnyAttackObject, KnowledgeBase, Resolved } from './types.js';

export interface NamedRef {
  id: string;
  name: string;
}

export interface AnalyticDescription extends NamedRef {
  platforms: string[];
  dataComponents: NamedRef[];
  logSources: { name: string; channel: string | null; dataComponentId: string | null }[];
}

export interface DetectionStrategyDescription extends NamedRef {
  analytics: AnalyticDescription[];
}

export interface ObjectDescription {
  kind: AnyAttackObject['kind'];
  id: string;
  stixId: string;
  name: string;
  description: string;
  url: string | null;
  deprecated: boolean;
  version: string | null;
  modified: string | null;
  /** The reference as given. */
  query: string;
  /** Set when the reference named a revoked object: the IDs followed via `revoked-by`. */
  revokedFrom: string[] | null;
  mappedFrom: string | null;
  aliases?: string[];
  platforms?: string[];
  tactics?: { id: string; shortname: string; name: string }[];
  parent?: NamedRef | null;
  subtechniques?: NamedRef[];
  mitigations?: NamedRef[];
  detectionStrategies?: DetectionStrategyDescription[];
  dataSources?: string[];
  techniques?: NamedRef[];
  software?: NamedRef[];
  campaigns?: NamedRef[];
  attributedTo?: NamedRef[];
  firstSeen?: string | null;
  lastSeen?: string | null;
  softwareType?: 'malware' | 'tool';
  shortname?: string;
  order?: number;
  analytics?: AnalyticDescription[];
  dataSourceName?: string | null;
  dataComponents?: NamedRef[];
  logSources?: AnalyticDescription['logSources'];
}

export function describeObject(kb: KnowledgeBase, resolved: Resolved<AnyAttackObject>): ObjectDescription {
  const o = resolved.object;
  const named = (ids: string[], find: (id: string) => { id: string; name: string } | undefined): NamedRef[] =>
    ids.map((id) => {
      const hit = find(id);
      return { id, name: hit?.name ?? '' };
    });
  const technique = (id: string) => kb.technique(id)?.object;
  const analytic = (id: string): AnalyticDescription => {
    const a = kb.analytic(id)?.object;
    return {
      id,
      name: a?.name ?? '',
      platforms: a?.platforms ?? [],
      dataComponents: named(a?.dataComponentIds ?? [], (dc) => kb.dataComponent(dc)?.object),
      logSources: (a?.logSources ?? []).map((l) => ({ name: l.name, channel: l.channel, dataComponentId: l.dataComponentId })),
    };
  };
  const strategy = (id: string): DetectionStrategyDescription => {
    const d = kb.detectionStrategy(id)?.object;
    return { id, name: d?.name ?? '', analytics: (d?.analyticIds ?? []).map(analytic) };
  };
  const base: ObjectDescription = {
    kind: o.kind,
    id: o.id,
    stixId: o.stixId,
    name: o.name,
    description: o.description,
    url: o.url,
    deprecated: o.deprecated,
    version: o.version,
    modified: o.modified,
    query: resolved.query,
    revokedFrom: resolved.revokedFrom,
    mappedFrom: resolved.mappedFrom,
  };
  switch (o.kind) {
    case 'technique':
      return {
        ...base,
        platforms: o.platforms,
        tactics: o.tactics.map((s) => {
          const t = kb.tactic(s)?.object;
          return { id: t?.id ?? '', shortname: s, name: t?.name ?? s };
        }),
        parent: o.parentId ? (named([o.parentId], technique)[0] ?? null) : null,
        subtechniques: named(o.subtechniqueIds, technique),
        mitigations: named(o.mitigationIds, (id) => kb.mitigation(id)?.object),
        detectionStrategies: o.detectionStrategyIds.map(strategy),
        dataSources: o.dataSources,
      };
    case 'tactic':
      return { ...base, shortname: o.shortname, order: o.order, techniques: kb.techniques().filter((t) => t.tactics.includes(o.shortname) && !t.isSubtechnique).map((t) => ({ id: t.id, name: t.name })) };
    case 'mitigation':
      return { ...base, techniques: named(o.techniqueIds, technique) };
    case 'detection-strategy':
      return { ...base, techniques: named(o.techniqueIds, technique), analytics: o.analyticIds.map(analytic) };
    case 'analytic': {
      const a = analytic(o.id);
      return { ...base, platforms: a.platforms, dataComponents: a.dataComponents, logSources: a.logSources };
    }
    case 'data-component':
      return { ...base, dataSourceName: o.dataSourceName };
    case 'group':
      return {
        ...base,
        aliases: o.aliases,
        techniques: named(o.techniqueIds, technique),
        software: named(o.softwareIds, (id) => kb.softwareByRef(id)?.object),
        campaigns: named(o.campaignIds, (id) => kb.campaign(id)?.object),
      };
    case 'campaign':
      return {
        ...base,
        aliases: o.aliases,
        firstSeen: o.firstSeen,
        lastSeen: o.lastSeen,
        attributedTo: named(o.attributedTo, (id) => kb.group(id)?.object),
        techniques: named(o.techniqueIds, technique),
        software: named(o.softwareIds, (id) => kb.softwareByRef(id)?.object),
      };
    case 'software':
      return { ...base, softwareType: o.type, aliases: o.aliases, platforms: o.platforms, techniques: named(o.techniqueIds, technique) };
  }
}

/** Readable text of a description, for the terminal. */
export function renderDescription(d: ObjectDescription): string {
  const lines: string[] = [];
  const list = (label: string, refs: NamedRef[] | undefined): void => {
    if (!refs || refs.length === 0) return;
    lines.push(`${label} (${refs.length}):`);
    for (const r of refs) lines.push(`  ${r.id}  ${r.name}`);
  };
  if (d.revokedFrom) lines.push(`${d.revokedFrom.join(' -> ')} was revoked; replaced by ${d.id}.`);
  if (d.mappedFrom && d.kind === 'technique') lines.push(`${d.mappedFrom} is newer than this ATT&CK release; mapped back to ${d.id} (v18->v19 crosswalk).`);
  else if (d.mappedFrom) lines.push(`"${d.query}" (${d.mappedFrom}) is not a tactic of this ATT&CK release; mapped to ${d.id}.`);
  lines.push(`${d.id}  ${d.name}  [${d.kind}${d.deprecated ? ', deprecated' : ''}]`);
  if (d.url) lines.push(d.url);
  if (d.aliases?.length) lines.push(`Aliases: ${d.aliases.join(', ')}`);
  if (d.tactics?.length) lines.push(`Tactics: ${d.tactics.map((t) => `${t.name} (${t.id})`).join(', ')}`);
  if (d.platforms?.length) lines.push(`Platforms: ${d.platforms.join(', ')}`);
  if (d.firstSeen || d.lastSeen) lines.push(`Seen: ${d.firstSeen ?? '?'} to ${d.lastSeen ?? '?'}`);
  if (d.parent) lines.push(`Parent: ${d.parent.id}  ${d.parent.name}`);
  if (d.dataSourceName) lines.push(`Data source: ${d.dataSourceName}`);
  const summary = d.description.split(/\n\s*\n/)[0]?.trim();
  if (summary) lines.push('', summary, '');
  list('Sub-techniques', d.subtechniques);
  list('Mitigations', d.mitigations);
  if (d.detectionStrategies?.length) {
    lines.push(`Detection strategies (${d.detectionStrategies.length}):`);
    for (const s of d.detectionStrategies) {
      lines.push(`  ${s.id}  ${s.name}`);
      for (const a of s.analytics) {
        lines.push(`    ${a.id} [${a.platforms.join(', ')}]: ${a.dataComponents.map((c) => `${c.id} ${c.name}`).join('; ')}`);
        for (const l of a.logSources) lines.push(`      ${l.name}${l.channel ? `  ${l.channel}` : ''}`);
      }
    }
  }
  list('Data components', d.dataComponents);
  for (const l of d.logSources ?? []) lines.push(`Log source: ${l.name}${l.channel ? `  ${l.channel}` : ''}`);
  if (d.dataSources?.length) lines.push(`Data sources: ${d.dataSources.join('; ')}`);
  list('Attributed to', d.attributedTo);
  list('Campaigns', d.campaigns);
  list('Software', d.software);
  list('Techniques', d.techniques);
  return lines.join('\n');
}
