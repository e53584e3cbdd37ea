import type { KnowledgeBase } from '../../attack/types.js';

/** One reference the user gave that needs a remark: a revoked ID remapped, a deprecated object used. */
export interface ObservationNote {
  query: string;
  resolvedTo: string;
  note: string;
}

export interface ResolvedObservation {
  techniques: Array<{ id: string; count: number }>;
  software: string[];
  notes: ObservationNote[];
  /** References that name no technique. */
  unknownTechniques: string[];
  /** References that name no software (by ID, name or alias). */
  unknownSoftware: string[];
}

export interface ObservationInput {
  /** `T1059.001`, `t1059.001`, `T1059.001:3` (seen three times) or a technique's exact name. */
  techniques: string[];
  /** `S0154`, `Cobalt Strike`, or any alias. */
  software?: string[];
}

/**
 * Resolves what a user typed into ATT&CK IDs. Revoked IDs are followed to their replacement with a
 * note; duplicates are merged (counts add up); unknown references are returned, never guessed.
 */
export function resolveObservation(kb: KnowledgeBase, input: ObservationInput): ResolvedObservation {
  const counts = new Map<string, number>();
  const notes: ObservationNote[] = [];
  const unknownTechniques: string[] = [];
  const unknownSoftware: string[] = [];

  for (const raw of input.techniques) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const { ref, count } = splitCount(trimmed);
    const resolved = kb.technique(ref);
    if (!resolved) {
      unknownTechniques.push(trimmed);
      continue;
    }
    const id = resolved.object.id;
    if (resolved.revokedFrom && resolved.revokedFrom.length > 0) {
      notes.push({ query: ref, resolvedTo: id, note: `${ref} is revoked; counted as ${id} (${resolved.object.name})` });
    } else if (resolved.deprecated) {
      notes.push({ query: ref, resolvedTo: id, note: `${ref} is deprecated in ATT&CK ${kb.meta.version}` });
    }
    counts.set(id, (counts.get(id) ?? 0) + count);
  }

  const software: string[] = [];
  for (const raw of input.software ?? []) {
    const ref = raw.trim();
    if (ref === '') continue;
    const resolved = kb.softwareByRef(ref);
    if (!resolved) {
      unknownSoftware.push(ref);
      continue;
    }
    const id = resolved.object.id;
    if (resolved.revokedFrom && resolved.revokedFrom.length > 0) {
      notes.push({ query: ref, resolvedTo: id, note: `${ref} is revoked; counted as ${id} (${resolved.object.name})` });
    }
    if (!software.includes(id)) software.push(id);
  }

  return {
    techniques: [...counts].map(([id, count]) => ({ id, count })),
    software,
    notes,
    unknownTechniques,
    unknownSoftware,
  };
}

/** `T1059.001:3` -> T1059.001 seen three times; a name containing a colon is left whole. */
function splitCount(value: string): { ref: string; count: number } {
  const match = /^(.*?):(\d+)$/.exec(value);
  if (match && match[1] && match[2]) {
    const count = Number(match[2]);
    if (count > 0) return { ref: match[1].trim(), count };
  }
  return { ref: value, count: 1 };
}
