/**
 * `KnowledgeBase` over `KnowledgeBaseData`: every lookup map is built once, in the constructor,
 * so that each lookup is one or two Map reads.
 */
import { mapBackTechnique } from './crosswalk.js';
import type { KnowledgeBaseData, RevokedEntry } from './data.js';
import { mapForeignTactic, tacticKey } from './tactic-names.js';
import type {
  Analytic,
  AnyAttackObject,
  AttackObjectBase,
  AttackObjectKind,
  Campaign,
  DataComponent,
  DetectionStrategy,
  Group,
  KnowledgeBase,
  KnowledgeBaseCounts,
  KnowledgeBaseMeta,
  Mitigation,
  Resolved,
  Software,
  Tactic,
  Technique,
  UsesRelationship,
} from './types.js';

const key = (ref: string): string => ref.trim().toLowerCase();

/**
 * One kind of object, indexed by ID and by name/alias (case-insensitive). The maps are built on
 * first use: a command that looks up one technique never pays for indexing groups and software.
 */
class KindIndex<T extends AttackObjectBase> {
  private maps?: {
    byId: Map<string, T>;
    byName: Map<string, T>;
    revokedById: Map<string, RevokedEntry>;
    revokedByName: Map<string, RevokedEntry>;
  };

  constructor(
    readonly all: T[],
    private readonly revoked: RevokedEntry[],
    private readonly names: (x: T) => string[] = (x) => [x.name],
  ) {}

  get byId(): Map<string, T> {
    return this.build().byId;
  }
  get byName(): Map<string, T> {
    return this.build().byName;
  }
  get revokedById(): Map<string, RevokedEntry> {
    return this.build().revokedById;
  }
  get revokedByName(): Map<string, RevokedEntry> {
    return this.build().revokedByName;
  }

  private build(): NonNullable<KindIndex<T>['maps']> {
    if (this.maps) return this.maps;
    const maps = (this.maps = { byId: new Map<string, T>(), byName: new Map<string, T>(), revokedById: new Map<string, RevokedEntry>(), revokedByName: new Map<string, RevokedEntry>() });
    // Live objects win name clashes over deprecated ones; earlier (ID order) wins among equals.
    const ordered = [...this.all.filter((x) => !x.deprecated), ...this.all.filter((x) => x.deprecated)];
    for (const x of ordered) {
      const id = key(x.id);
      if (!maps.byId.has(id)) maps.byId.set(id, x);
      const stix = key(x.stixId);
      if (!maps.byId.has(stix)) maps.byId.set(stix, x);
      for (const n of this.names(x)) {
        const k = key(n);
        if (k && !maps.byName.has(k)) maps.byName.set(k, x);
      }
    }
    for (const r of this.revoked) {
      maps.revokedById.set(key(r.id), r);
      maps.revokedById.set(key(r.stixId), r);
      const k = key(r.name);
      if (k && !maps.revokedByName.has(k)) maps.revokedByName.set(k, r);
    }
    return maps;
  }

  resolve(ref: string): Resolved<T> | undefined {
    const k = key(ref);
    const direct = this.byId.get(k) ?? this.byName.get(k);
    if (direct) return { object: direct, query: ref, revokedFrom: null, deprecated: direct.deprecated, mappedFrom: null };
    const revoked = this.revokedById.get(k) ?? this.revokedByName.get(k);
    if (revoked?.replacementId) {
      const replacement = this.byId.get(key(revoked.replacementId));
      if (replacement) return { object: replacement, query: ref, revokedFrom: revoked.chain, deprecated: replacement.deprecated, mappedFrom: null };
    }
    return undefined;
  }

  live(): T[] {
    return this.all.filter((x) => !x.deprecated);
  }
}

/** Name order for `lookup` when a name is shared by objects of different kinds. */
const LOOKUP_ORDER: AttackObjectKind[] = [
  'technique',
  'tactic',
  'group',
  'software',
  'campaign',
  'mitigation',
  'data-component',
  'detection-strategy',
  'analytic',
];

/** ATT&CK ID prefixes, for `lookup` by ID without trying every kind. */
const KIND_BY_PREFIX: [RegExp, AttackObjectKind][] = [
  [/^ta\d{4}$/, 'tactic'],
  [/^t\d{4}(\.\d{3})?$/, 'technique'],
  [/^m\d{4}$/, 'mitigation'],
  [/^det\d{4}$/, 'detection-strategy'],
  [/^an\d{4}$/, 'analytic'],
  [/^dc\d{4}$/, 'data-component'],
  [/^g\d{4}$/, 'group'],
  [/^c\d{4}$/, 'campaign'],
  [/^s\d{4}$/, 'software'],
];

export class AttackKnowledgeBase implements KnowledgeBase {
  readonly meta: KnowledgeBaseMeta;
  private readonly tacticIndex: KindIndex<Tactic>;
  private readonly tacticByKey = new Map<string, Tactic>();
  private readonly techniqueIndex: KindIndex<Technique>;
  private readonly mitigationIndex: KindIndex<Mitigation>;
  private readonly strategyIndex: KindIndex<DetectionStrategy>;
  private readonly analyticIndex: KindIndex<Analytic>;
  private readonly componentIndex: KindIndex<DataComponent>;
  private readonly groupIndex: KindIndex<Group>;
  private readonly campaignIndex: KindIndex<Campaign>;
  private readonly softwareIndex: KindIndex<Software>;
  private readonly liveTactics: Tactic[];
  private readonly liveTechniques: Technique[];

  constructor(private readonly data: KnowledgeBaseData) {
    this.meta = data.meta;
    const revoked = new Map<AttackObjectKind, RevokedEntry[]>();
    for (const r of data.revoked) (revoked.get(r.kind) ?? revoked.set(r.kind, []).get(r.kind))?.push(r);
    const rev = (kind: AttackObjectKind): RevokedEntry[] => revoked.get(kind) ?? [];

    this.tacticIndex = new KindIndex(data.tactics, rev('tactic'));
    for (const t of [...data.tactics.filter((x) => !x.deprecated), ...data.tactics.filter((x) => x.deprecated)]) {
      for (const k of [tacticKey(t.id), tacticKey(t.shortname), tacticKey(t.name)]) if (k && !this.tacticByKey.has(k)) this.tacticByKey.set(k, t);
    }
    const byId = new Map(data.techniques.map((t) => [t.id, t]));
    this.techniqueIndex = new KindIndex(data.techniques, rev('technique'), (t) => {
      const parent = t.parentId ? byId.get(t.parentId) : undefined;
      return parent ? [t.name, `${parent.name}: ${t.name}`] : [t.name];
    });
    this.mitigationIndex = new KindIndex(data.mitigations, rev('mitigation'));
    this.strategyIndex = new KindIndex(data.detectionStrategies, rev('detection-strategy'));
    this.analyticIndex = new KindIndex(data.analytics, rev('analytic'));
    this.componentIndex = new KindIndex(data.dataComponents, rev('data-component'));
    this.groupIndex = new KindIndex(data.groups, rev('group'), (g) => [g.name, ...g.aliases]);
    this.campaignIndex = new KindIndex(data.campaigns, rev('campaign'), (c) => [c.name, ...c.aliases]);
    this.softwareIndex = new KindIndex(data.software, rev('software'), (s) => [s.name, ...s.aliases]);
    this.liveTactics = this.tacticIndex.live();
    this.liveTechniques = this.techniqueIndex.live();
  }

  counts(): KnowledgeBaseCounts {
    return {
      domain: this.meta.domain,
      version: this.meta.version,
      techniques: this.liveTechniques.filter((t) => !t.isSubtechnique).length,
      subtechniques: this.liveTechniques.filter((t) => t.isSubtechnique).length,
      tactics: this.liveTactics.length,
      groups: this.groupIndex.live().length,
      campaigns: this.campaignIndex.live().length,
      software: this.softwareIndex.live().length,
      mitigations: this.mitigationIndex.live().length,
      detectionStrategies: this.strategyIndex.live().length,
    };
  }

  tactics(): Tactic[] {
    return [...this.liveTactics];
  }
  techniques(): Technique[] {
    return [...this.liveTechniques];
  }
  groups(): Group[] {
    return this.groupIndex.live();
  }
  campaigns(): Campaign[] {
    return this.campaignIndex.live();
  }
  software(): Software[] {
    return this.softwareIndex.live();
  }
  mitigations(): Mitigation[] {
    return this.mitigationIndex.live();
  }
  detectionStrategies(): DetectionStrategy[] {
    return this.strategyIndex.live();
  }
  /** Live analytics, in ID order. */
  analytics(): Analytic[] {
    return this.analyticIndex.live();
  }
  /** Live data components, in ID order. */
  dataComponents(): DataComponent[] {
    return this.componentIndex.live();
  }
  usesRelationships(): UsesRelationship[] {
    return [...this.data.uses];
  }

  tactic(ref: string): Resolved<Tactic> | undefined {
    const k = tacticKey(ref);
    const direct = this.tacticByKey.get(k) ?? this.tacticIndex.byId.get(key(ref));
    if (direct) return { object: direct, query: ref, revokedFrom: null, deprecated: direct.deprecated, mappedFrom: null };
    const mapped = mapForeignTactic(ref, (shortname) => this.tacticByKey.has(tacticKey(shortname)));
    if (mapped) {
      const t = this.tacticByKey.get(tacticKey(mapped.shortname));
      if (t) return { object: t, query: ref, revokedFrom: null, deprecated: t.deprecated, mappedFrom: mapped.mappedFrom };
    }
    return this.tacticIndex.resolve(ref);
  }
  technique(ref: string): Resolved<Technique> | undefined {
    const hit = this.techniqueIndex.resolve(ref);
    if (hit) return hit;
    // A newer release's ID (v19's T1685) the loaded bundle lacks: the crosswalk maps it back.
    const back = mapBackTechnique(ref);
    const mapped = back ? this.techniqueIndex.resolve(back.id) : undefined;
    return mapped ? { ...mapped, query: ref, mappedFrom: ref.trim().toUpperCase() } : undefined;
  }
  group(ref: string): Resolved<Group> | undefined {
    return this.groupIndex.resolve(ref);
  }
  campaign(ref: string): Resolved<Campaign> | undefined {
    return this.campaignIndex.resolve(ref);
  }
  softwareByRef(ref: string): Resolved<Software> | undefined {
    return this.softwareIndex.resolve(ref);
  }
  mitigation(ref: string): Resolved<Mitigation> | undefined {
    return this.mitigationIndex.resolve(ref);
  }
  detectionStrategy(ref: string): Resolved<DetectionStrategy> | undefined {
    return this.strategyIndex.resolve(ref);
  }
  analytic(ref: string): Resolved<Analytic> | undefined {
    return this.analyticIndex.resolve(ref);
  }
  dataComponent(ref: string): Resolved<DataComponent> | undefined {
    return this.componentIndex.resolve(ref);
  }

  /** A revoked object by ID or name, whether or not its chain ends in a replacement. */
  revokedEntry(ref: string): RevokedEntry | undefined {
    const k = key(ref);
    for (const kind of LOOKUP_ORDER) {
      const index = this.indexFor(kind);
      const hit = index.revokedById.get(k) ?? index.revokedByName.get(k);
      if (hit) return hit;
    }
    return undefined;
  }

  lookup(ref: string): Resolved<AnyAttackObject> | undefined {
    const k = key(ref);
    const prefixed = KIND_BY_PREFIX.find(([re]) => re.test(k))?.[1];
    const kinds = prefixed ? [prefixed, ...LOOKUP_ORDER.filter((x) => x !== prefixed)] : LOOKUP_ORDER;
    for (const kind of kinds) {
      const hit = kind === 'tactic' ? this.tactic(ref) : kind === 'technique' ? this.technique(ref) : this.indexFor(kind).resolve(ref);
      if (hit) return { ...hit, object: { kind, ...hit.object } as AnyAttackObject };
    }
    return undefined;
  }

  private indexFor(kind: AttackObjectKind): KindIndex<AttackObjectBase> {
    return this.typedIndexFor(kind) as unknown as KindIndex<AttackObjectBase>;
  }

  private typedIndexFor(kind: AttackObjectKind) {
    switch (kind) {
      case 'tactic':
        return this.tacticIndex;
      case 'technique':
        return this.techniqueIndex;
      case 'mitigation':
        return this.mitigationIndex;
      case 'detection-strategy':
        return this.strategyIndex;
      case 'analytic':
        return this.analyticIndex;
      case 'data-component':
        return this.componentIndex;
      case 'group':
        return this.groupIndex;
      case 'campaign':
        return this.campaignIndex;
      case 'software':
        return this.softwareIndex;
    }
  }
}
