/**
 * Tactic names in every style found in the wild, and the tactic changes between ATT&CK releases.
 *
 * Styles: `TA0005`, `DefenseEvasion`, `Defense Evasion`, `defense-evasion`, `defense_evasion`,
 * in any case. They all fold to one key: lower case, letters and digits only.
 */

/** Folds a tactic reference in any style to its lookup key: `Defense Evasion` -> `defenseevasion`. */
export function tacticKey(ref: string): string {
  return ref.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A tactic as one ATT&CK release names it. */
export interface TacticName {
  id: string;
  shortname: string;
  name: string;
}

/**
 * A tactic that one ATT&CK release split into several. With a bundle from before the split, the new
 * tactics map back to `before`; with a bundle from after it, `before` maps to `primary`.
 */
export interface TacticSplit {
  /** The ATT&CK release that made the split. */
  release: string;
  before: TacticName;
  after: TacticName[];
  /** The shortname (one of `after`) that the old tactic maps to in newer bundles. */
  primary: string;
}

/** Every tactic change between ATT&CK releases Hindsight knows. Add new ones here. */
export const TACTIC_SPLITS: readonly TacticSplit[] = [
  {
    release: '19.0',
    before: { id: 'TA0005', shortname: 'defense-evasion', name: 'Defense Evasion' },
    after: [
      { id: 'TA0005', shortname: 'stealth', name: 'Stealth' },
      { id: 'TA0112', shortname: 'defense-impairment', name: 'Defense Impairment' },
    ],
    primary: 'stealth',
  },
];

function keysOf(name: TacticName): string[] {
  return [tacticKey(name.id), tacticKey(name.shortname), tacticKey(name.name)];
}

/**
 * Maps a tactic reference the loaded bundle does not know to a shortname it does know, using the
 * split table. `has(shortname)` says whether the loaded bundle has a tactic. Returns the target
 * shortname and the foreign shortname it was mapped from.
 */
export function mapForeignTactic(
  ref: string,
  has: (shortname: string) => boolean,
): { shortname: string; mappedFrom: string } | undefined {
  const key = tacticKey(ref);
  for (const split of TACTIC_SPLITS) {
    const newer = split.after.some((a) => has(a.shortname));
    if (!newer && has(split.before.shortname)) {
      // Older bundle: a post-split name maps back to the tactic it came from.
      const hit = split.after.find((a) => keysOf(a).includes(key));
      if (hit) return { shortname: split.before.shortname, mappedFrom: hit.shortname };
    } else if (newer && !has(split.before.shortname) && has(split.primary)) {
      // Newer bundle: the pre-split name maps to the primary successor.
      if (keysOf(split.before).includes(key)) return { shortname: split.primary, mappedFrom: split.before.shortname };
    }
  }
  return undefined;
}
