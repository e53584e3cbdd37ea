import crosswalk from './v18-to-v19.json' with { type: 'json' };
import type { KnowledgeBase } from './types.js';

/**
 * The ATT&CK v18 -> v19 technique crosswalk (data in v18-to-v19.json). Sources already label alerts
 * and rules with v19 IDs (`T1685` Disable or Modify Tools); with an older bundle loaded, such an ID
 * resolves through the v18 technique it maps back to. Imports keep the IDs exactly as sent: the
 * crosswalk is applied where techniques are resolved against the loaded bundle
 * (`KnowledgeBase.technique`), so incident views, layers, reviews, coverage and the rule importers'
 * coverage all read one mapping. (Newer bundles carry the old IDs as revoked-by links themselves.)
 */
interface CrosswalkEntry {
  name: string;
  back: string;
  replaced: string[];
}

const BACK = new Map<string, CrosswalkEntry>(Object.entries(crosswalk.techniques as Record<string, CrosswalkEntry>));

/** The v18 technique ID a v19 technique ID maps back to, if the crosswalk knows it. */
export function mapBackTechnique(id: string): { id: string; name: string } | undefined {
  const entry = BACK.get(id.trim().toUpperCase());
  return entry ? { id: entry.back, name: entry.name } : undefined;
}

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/i;

/** What the loaded bundle makes of technique IDs an import or rule file brought. */
export interface TechniqueReport {
  /** Distinct IDs seen (upper-cased). */
  seen: number;
  /** IDs the bundle knows only through the crosswalk: `{ id: 'T1685', to: 'T1562.001' }`. */
  mapped: { id: string; to: string }[];
  /** IDs neither the bundle nor the crosswalk knows; kept on the alerts as sent. */
  unknown: string[];
}

/** Reports technique IDs against a knowledge base (without one, only the crosswalk and the ID syntax are checked). */
export function reportTechniques(ids: Iterable<string>, kb?: KnowledgeBase): TechniqueReport {
  const distinct = [...new Set([...ids].map((id) => id.trim().toUpperCase()).filter((id) => id !== ''))].sort();
  const mapped: TechniqueReport['mapped'] = [];
  const unknown: string[] = [];
  for (const id of distinct) {
    const resolved = kb?.technique(id);
    if (resolved && resolved.mappedFrom === null) continue;
    const back = mapBackTechnique(id);
    if (kb ? resolved && back : back) mapped.push({ id, to: kb && resolved ? resolved.object.id : back!.id });
    else if (kb || !TECHNIQUE_ID.test(id)) unknown.push(id);
  }
  return { seen: distinct.length, mapped, unknown };
}
