import type { AttributionIndex, CandidateEntry, ProfileSource } from './build-index.js';

/**
 * Flat, per-index structures that let `rankCandidates` score every candidate without building a
 * profile per query. Built once per index (by `buildAttributionIndex`, or on the first ranking of
 * an index that was not built there).
 *
 * A group with attributed campaigns has a profile that depends on the query (a campaign left out,
 * or down-weighted outside the time window). Instead of merging its sources into Maps for every
 * query, its sources are kept as lists of positions in the group's own feature list, and merged
 * into flat arrays with exactly the numbers `combine` would give (`merged`). The few merges a
 * group meets (in practice: every campaign inside the window, or all of them outside it) are
 * kept, a handful per group, so that a server ranking incident after incident merges nothing.
 * That cache is the only state that changes; results never depend on it.
 */
export interface DenseIndex {
  /** Rank of each candidate's ID in code-unit order (ties in score are broken by ID). */
  idRank: Int32Array;
  /** Parallel to `index.candidates`. */
  entries: DenseEntry[];
  /** Slots of the sub-techniques of each family root (`positions`; none for a technique without sub-techniques). */
  childrenOf: Holders;
  /**
   * Technique slot -> the candidates whose base profile holds it, with the weight (`Profile.weights`),
   * and family root slot -> the candidates holding one of its sub-techniques, with the best such
   * weight (`Profile.childWeights`). Scoring reads the observed slots' lists instead of every
   * candidate's dense arrays.
   */
  techniqueHolders: Holders;
  childHolders: Holders;
  /** Software ID -> slot, and software slot -> the candidates whose base profile holds it, with the weight. */
  softwareSlot: Map<string, number>;
  softwareHolders: Holders;
  /** `-log` of each technique slot's background probability (what `characteristicOf` weighs by). */
  negLogBackground: Float64Array;
}

/**
 * A list per key (a technique slot, a software slot) of candidate positions and weights, flat:
 * key `k`'s entries are `positions[start[k]] ... positions[start[k + 1] - 1]`, in the order added.
 */
export interface Holders {
  start: Int32Array;
  positions: Int32Array;
  weights: Float64Array;
}

/** Collects `Holders` entries in any key order, then packs them. */
class Lists {
  private keys = new Int32Array(1024);
  private positions = new Int32Array(1024);
  private weights = new Float64Array(1024);
  private size = 0;

  add(key: number, position: number, weight: number): void {
    if (this.size === this.keys.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(2 * a.length);
        b.set(a);
        return b;
      };
      this.keys = grow(this.keys, (n) => new Int32Array(n));
      this.positions = grow(this.positions, (n) => new Int32Array(n));
      this.weights = grow(this.weights, (n) => new Float64Array(n));
    }
    this.keys[this.size] = key;
    this.positions[this.size] = position;
    this.weights[this.size] = weight;
    this.size += 1;
  }

  pack(keyCount: number): Holders {
    const start = new Int32Array(keyCount + 1);
    for (let j = 0; j < this.size; j += 1) {
      const k = this.keys[j] as number;
      start[k + 1] = (start[k + 1] as number) + 1;
    }
    for (let k = 0; k < keyCount; k += 1) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
    const next = start.slice(0, keyCount);
    const positions = new Int32Array(this.size);
    const weights = new Float64Array(this.size);
    for (let j = 0; j < this.size; j += 1) {
      const k = this.keys[j] as number;
      const at = next[k] as number;
      next[k] = at + 1;
      positions[at] = this.positions[j] as number;
      weights[at] = this.weights[j] as number;
    }
    return { start, positions, weights };
  }
}

export interface DenseEntry {
  entry: CandidateEntry;
  /** Parsed `firstSeen` / `lastSeen` as `overlaps` reads them (unknown: -Infinity / Infinity). */
  firstSeenMs: number;
  lastSeenMs: number;
  /** Positions of the linked candidates (a group's campaigns; a campaign's groups and sibling campaigns), in `linkedIds` order. */
  linked: number[];
  /** Set for a group with attributed campaigns: its profile may change per query. */
  variable: VariableProfile | null;
}

export interface VariableProfile {
  sources: DenseSource[];
  /** Technique slot -> position in this group's technique list, or -1. */
  techniqueKey: Int32Array;
  /** The group's technique list (every technique of any source, in `combine`'s order): IDs and slots. */
  techniqueIds: string[];
  techniqueSlots: Int32Array;
  /** Software ID -> position in this group's software list, and the list. */
  softwareKey: Map<string, number>;
  softwareIds: string[];
  /** Recent merges, by the sources' factors in this query (see `merged`). */
  merges: Map<number, Merged>;
}

/** What can change a group's profile in one query: campaigns left out, and the time window (ms). */
export interface QueryScope {
  exclude: Set<string>;
  window: { start: number; end: number } | null;
  outOfWindowFactor: number;
}

/**
 * A group's profile merged at one query's factors: `max[key]` is the weight of the group's
 * `key`-th technique where `present[key]`, `order` lists the present keys in `combine`'s insertion
 * order, the totals are summed in that order; the same for software.
 */
export interface Merged {
  max: Float64Array;
  present: Uint8Array;
  order: Int32Array;
  techniqueMass: number;
  softwareMax: Float64Array;
  softwarePresent: Uint8Array;
  softwareOrder: Int32Array;
  softwareMass: number;
}

export interface DenseSource {
  source: ProfileSource;
  firstSeenMs: number;
  lastSeenMs: number;
  /** The source's techniques, in its own order, as positions in the group's technique list, and their weights. */
  techniqueKeys: Int32Array;
  techniqueWeights: Float64Array;
  softwareKeys: Int32Array;
  softwareWeights: Float64Array;
}

/** How many merges a group keeps. */
const KEPT_MERGES = 4;

const cache = new WeakMap<AttributionIndex, DenseIndex>();

/** The dense structures of an index, built on first use. */
export function denseIndex(index: AttributionIndex): DenseIndex {
  let dense = cache.get(index);
  if (!dense) {
    dense = buildDense(index);
    cache.set(index, dense);
  }
  return dense;
}

/** `Date.parse` as `overlaps` applies it, with the default for an unknown date. */
export function parseDate(value: string | null | undefined, unknown: number): number {
  return value ? Date.parse(value) : unknown;
}

function buildDense(index: AttributionIndex): DenseIndex {
  const { vocabulary } = index;
  const slots = vocabulary.familyOf.length;
  const position = new Map<string, number>();
  index.candidates.forEach((c, i) => position.set(c.id, i));

  const children = new Lists();
  vocabulary.familyOf.forEach((family, slot) => {
    if (family !== slot) children.add(family, slot, 0);
  });
  const negLogBackground = new Float64Array(slots);
  for (const [id, slot] of vocabulary.slot) negLogBackground[slot] = -Math.log(index.techniqueBackground.get(id) ?? index.techniqueFloor);

  const softwareSlot = new Map<string, number>();
  const techniqueLists = new Lists();
  const childLists = new Lists();
  const softwareLists = new Lists();
  const families = new Uint8Array(slots);
  const entries = index.candidates.map((entry, i): DenseEntry => {
    const { weights, childWeights } = entry.base;
    const seenFamilies: number[] = [];
    for (const t of entry.base.techniques.keys()) {
      const slot = vocabulary.slot.get(t);
      if (slot === undefined) continue;
      const w = weights[slot] as number;
      if (w !== 0) techniqueLists.add(slot, i, w);
      const family = vocabulary.familyOf[slot] as number;
      if (family !== slot && families[family] === 0) {
        families[family] = 1;
        seenFamilies.push(family);
        const cw = childWeights[family] as number;
        if (cw !== 0) childLists.add(family, i, cw);
      }
    }
    for (const family of seenFamilies) families[family] = 0;
    for (const [id, w] of entry.base.software) {
      let slot = softwareSlot.get(id);
      if (slot === undefined) {
        slot = softwareSlot.size;
        softwareSlot.set(id, slot);
      }
      softwareLists.add(slot, i, w);
    }
    const variable = entry.sources.some((s) => s.kind === 'campaign') ? variableProfile(index, entry) : null;
    return {
      entry,
      firstSeenMs: parseDate(entry.firstSeen, -Infinity),
      lastSeenMs: parseDate(entry.lastSeen, Infinity),
      linked: linkedIds(index, entry).flatMap((id) => (position.has(id) ? [position.get(id) as number] : [])),
      variable,
    };
  });
  const idRank = new Int32Array(index.candidates.length);
  index.candidates
    .map((c, i) => ({ id: c.id, i }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .forEach(({ i }, rank) => {
      idRank[i] = rank;
    });
  return {
    idRank,
    entries,
    childrenOf: children.pack(slots),
    techniqueHolders: techniqueLists.pack(slots),
    childHolders: childLists.pack(slots),
    softwareSlot,
    softwareHolders: softwareLists.pack(softwareSlot.size),
    negLogBackground,
  };
}

function variableProfile(index: AttributionIndex, entry: CandidateEntry): VariableProfile {
  const techniqueKey = new Int32Array(index.vocabulary.familyOf.length).fill(-1);
  const techniqueIds = new Map<string, number>();
  const softwareKey = new Map<string, number>();
  const keyOf = (map: Map<string, number>, id: string): number => {
    let key = map.get(id);
    if (key === undefined) {
      key = map.size;
      map.set(id, key);
    }
    return key;
  };
  const sources = entry.sources.map((source): DenseSource => {
    const techniqueKeys: number[] = [];
    const techniqueWeights: number[] = [];
    for (const [t, w] of source.techniques) {
      techniqueKeys.push(keyOf(techniqueIds, t));
      techniqueWeights.push(w);
    }
    const softwareKeys: number[] = [];
    const softwareWeights: number[] = [];
    for (const [s, w] of source.software) {
      softwareKeys.push(keyOf(softwareKey, s));
      softwareWeights.push(w);
    }
    return {
      source,
      firstSeenMs: parseDate(source.firstSeen, -Infinity),
      lastSeenMs: parseDate(source.lastSeen, Infinity),
      techniqueKeys: Int32Array.from(techniqueKeys),
      techniqueWeights: Float64Array.from(techniqueWeights),
      softwareKeys: Int32Array.from(softwareKeys),
      softwareWeights: Float64Array.from(softwareWeights),
    };
  });
  const techniqueSlots = new Int32Array(techniqueIds.size);
  for (const [t, key] of techniqueIds) {
    const slot = index.vocabulary.slot.get(t) ?? -1;
    techniqueSlots[key] = slot;
    if (slot >= 0) techniqueKey[slot] = key;
  }
  return { sources, techniqueKey, techniqueIds: [...techniqueIds.keys()], techniqueSlots, softwareKey, softwareIds: [...softwareKey.keys()], merges: new Map() };
}

/** The campaigns of a group, or the groups (and sibling campaigns) of a campaign. */
function linkedIds(index: AttributionIndex, entry: CandidateEntry): string[] {
  if (entry.type === 'intrusion-set') return entry.sources.flatMap((s) => (s.campaignId === null ? [] : [s.campaignId]));
  const groups = index.campaignGroups.get(entry.id) ?? [];
  const linked = new Set<string>(groups);
  for (const g of groups) for (const s of index.byId.get(g)?.sources ?? []) if (s.campaignId !== null && s.campaignId !== entry.id) linked.add(s.campaignId);
  return [...linked];
}

/** What this query does to a source: 0 nothing, 1 leaves its campaign out, 2 finds its campaign outside the window. */
function sourceState(s: DenseSource, scope: QueryScope): 0 | 1 | 2 {
  const { kind, campaignId } = s.source;
  if (kind !== 'campaign' || campaignId === null) return 0;
  if (scope.exclude.has(campaignId)) return 1;
  if (scope.window !== null && !(s.firstSeenMs <= scope.window.end && scope.window.start <= s.lastSeenMs)) return 2;
  return 0;
}

/** A source's factor in `combine` for this query: 1, 0 for a campaign left out, `outOfWindowFactor` outside the window. */
function sourceFactor(state: 0 | 1 | 2, scope: QueryScope): number {
  return state === 0 ? 1 : state === 1 ? 0 : scope.outOfWindowFactor;
}

/**
 * How this query changes a group's profile: -1 when it does not (then the base profile applies),
 * else the number of its campaigns outside the window (those left out do not count).
 */
export function droppedCampaigns(v: VariableProfile, scope: QueryScope): number {
  let changed = false;
  let dropped = 0;
  for (const s of v.sources) {
    const state = sourceState(s, scope);
    if (state !== 0) changed = true;
    if (state === 2) dropped += 1;
  }
  return changed ? dropped : -1;
}

/**
 * A group's sources merged at this query's factors, exactly as `combine` merges them: each
 * feature takes its highest weight over the sources with a positive factor, features in the order
 * `combine` inserts them. Kept per group for the last few combinations of factors.
 */
export function merged(v: VariableProfile, scope: QueryScope): Merged {
  // The sources' states in this query, one base-3 digit each.
  let signature = 0;
  for (const s of v.sources) signature = signature * 3 + sourceState(s, scope);
  const cacheable = v.sources.length <= 30; // 3^30 < 2^53: the signature is exact
  const kept = cacheable ? v.merges.get(signature) : undefined;
  if (kept) return kept;
  const m = merge(v, scope);
  if (cacheable) {
    if (v.merges.size >= KEPT_MERGES) v.merges.delete(v.merges.keys().next().value as number);
    v.merges.set(signature, m);
  }
  return m;
}

function merge(v: VariableProfile, scope: QueryScope): Merged {
  const techniques = v.techniqueIds.length;
  const software = v.softwareIds.length;
  const max = new Float64Array(techniques);
  const present = new Uint8Array(techniques);
  const order: number[] = [];
  const softwareMax = new Float64Array(software);
  const softwarePresent = new Uint8Array(software);
  const softwareOrder: number[] = [];
  for (const s of v.sources) {
    const f = sourceFactor(sourceState(s, scope), scope);
    if (f <= 0) continue;
    const keys = s.techniqueKeys;
    const weights = s.techniqueWeights;
    for (let j = 0; j < keys.length; j += 1) {
      const k = keys[j] as number;
      const w = (weights[j] as number) * f;
      if (present[k] === 0) {
        present[k] = 1;
        max[k] = w;
        order.push(k);
      } else if ((max[k] as number) < w) max[k] = w;
    }
    const softwareKeys = s.softwareKeys;
    const softwareWeights = s.softwareWeights;
    for (let j = 0; j < softwareKeys.length; j += 1) {
      const k = softwareKeys[j] as number;
      const w = (softwareWeights[j] as number) * f;
      if (softwarePresent[k] === 0) {
        softwarePresent[k] = 1;
        softwareMax[k] = w;
        softwareOrder.push(k);
      } else if ((softwareMax[k] as number) < w) softwareMax[k] = w;
    }
  }
  let techniqueMass = 0;
  for (const k of order) techniqueMass += max[k] as number;
  let softwareMass = 0;
  for (const k of softwareOrder) softwareMass += softwareMax[k] as number;
  return {
    max,
    present,
    order: Int32Array.from(order),
    techniqueMass,
    softwareMax,
    softwarePresent,
    softwareOrder: Int32Array.from(softwareOrder),
    softwareMass,
  };
}
