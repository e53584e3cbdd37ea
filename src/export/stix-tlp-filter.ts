import { tlpRank, type ShareTlp } from './share-document.js';

/** Any STIX object: its type and id, and whatever else it carries. */
export interface StixObject {
  type: string;
  id: string;
  [property: string]: unknown;
}

/** Properties whose ids an object cannot stand without: drop it when all of them (or any single required one) are gone. */
const REQUIRED_REFS: Record<string, string[]> = {
  relationship: ['source_ref', 'target_ref'],
  sighting: ['sighting_of_ref'],
};
const LIST_REFS: Record<string, string> = { 'observed-data': 'object_refs', 'attack-flow': 'start_refs' };

/**
 * The objects at or below `max`, without the ones that would be left pointing at nothing: a
 * relationship or sighting whose ends were dropped, observed-data whose observables all were.
 * Optional references to dropped objects are removed from the objects that stay.
 */
export function dropAboveTlp<T extends StixObject>(objects: T[], levels: Map<string, ShareTlp>, max: ShareTlp): T[] {
  const limit = tlpRank(max);
  const kept = new Set(objects.filter((o) => tlpRank(levels.get(o.id) ?? 'clear') <= limit).map((o) => o.id));
  // Dropping one object can orphan another (observed-data → its sighting → ...): repeat until stable.
  for (let changed = true; changed; ) {
    changed = false;
    for (const o of objects) {
      if (!kept.has(o.id)) continue;
      const required = REQUIRED_REFS[o.type] ?? [];
      const list = LIST_REFS[o.type];
      const orphaned =
        required.some((key) => typeof o[key] === 'string' && !kept.has(o[key])) ||
        (list !== undefined && Array.isArray(o[list]) && !(o[list] as string[]).some((id) => kept.has(id)));
      if (orphaned) {
        kept.delete(o.id);
        changed = true;
      }
    }
  }
  return objects.filter((o) => kept.has(o.id)).map((o) => pruneRefs(o, kept));
}

/** Removes references to dropped objects from optional `*_ref(s)` properties. */
function pruneRefs<T extends StixObject>(o: T, kept: Set<string>): T {
  const out: StixObject = { ...o };
  for (const [key, value] of Object.entries(o)) {
    if (key === 'id' || key === 'object_marking_refs' || key === 'created_by_ref') continue;
    if (key.endsWith('_refs') && Array.isArray(value)) {
      const refs = (value as unknown[]).filter((v) => typeof v !== 'string' || kept.has(v) || !v.includes('--'));
      if (refs.length) out[key] = refs;
      else delete out[key];
    } else if (key.endsWith('_ref') && typeof value === 'string' && value.includes('--') && !kept.has(value) && !(REQUIRED_REFS[o.type] ?? []).includes(key)) {
      delete out[key];
    }
  }
  return out as T;
}

/**
 * Leaves out public context objects (ATT&CK techniques, groups, campaigns: TLP:CLEAR in
 * themselves) that nothing kept refers to any more: their presence alone would say what the
 * incident showed or who it is attributed to, which carries the incident's marking, not theirs.
 */
export function dropUnreferencedContext<T extends StixObject>(objects: T[], contextTypes: ReadonlySet<string>): T[] {
  const referenced = new Set<string>();
  for (const o of objects) {
    if (contextTypes.has(o.type)) continue;
    for (const [key, value] of Object.entries(o)) {
      if (key.endsWith('_ref') && typeof value === 'string') referenced.add(value);
      else if (key.endsWith('_refs') && Array.isArray(value)) for (const v of value) if (typeof v === 'string') referenced.add(v);
    }
  }
  return objects.filter((o) => !contextTypes.has(o.type) || referenced.has(o.id));
}
