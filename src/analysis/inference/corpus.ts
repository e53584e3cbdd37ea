import type { KnowledgeBase } from '../../attack/types.js';

/**
 * The training data of technique inference: the technique sets ATT&CK records for its groups
 * (intrusion sets), campaigns and software, one "document" each. A document says "these techniques
 * were seen together"; the recommender learns which techniques go with which from them.
 */
export interface TrainingDocument {
  /** ATT&CK ID of the group, campaign or software the set belongs to. */
  source: string;
  kind: 'group' | 'campaign' | 'software';
  /** Live technique IDs, each once. */
  techniques: string[];
}

/** What a benchmark removes from the corpus so that a held-out set does not teach itself. */
export interface CorpusExclusion {
  /** Documents left out whole (a held-out campaign). */
  sources?: ReadonlySet<string>;
  /** Single (source, technique) pairs left out (the relationships only a held-out report supports). */
  pairs?: ReadonlySet<string>;
}

/** The key of one (source, technique) pair in `CorpusExclusion.pairs`. */
export const pairKey = (source: string, technique: string): string => `${source}>${technique}`;

/**
 * The documents of one loaded knowledge base, in a stable order. Deprecated objects are left out by
 * the knowledge base already; technique IDs are filtered to the live techniques it knows.
 */
export function trainingCorpus(kb: KnowledgeBase, exclusion: CorpusExclusion = {}): TrainingDocument[] {
  const live = new Set(kb.techniques().map((t) => t.id));
  const docs: TrainingDocument[] = [];
  const add = (source: string, kind: TrainingDocument['kind'], ids: readonly string[]) => {
    if (exclusion.sources?.has(source)) return;
    const techniques = [...new Set(ids)].filter((id) => live.has(id) && !exclusion.pairs?.has(pairKey(source, id))).sort();
    if (techniques.length > 0) docs.push({ source, kind, techniques });
  };
  for (const g of kb.groups()) add(g.id, 'group', g.techniqueIds);
  for (const c of kb.campaigns()) add(c.id, 'campaign', c.techniqueIds);
  for (const s of kb.software()) add(s.id, 'software', s.techniqueIds);
  return docs;
}
