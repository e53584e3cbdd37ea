import { computeCoverage, coverageIndexOf } from '../analysis/coverage/compute.js';
import { EMPTY_INCIDENT_AGGREGATE } from '../analysis/coverage/types.js';
import type { KnowledgeBase } from '../attack/types.js';
import { importRules } from '../rules/index.js';
import type { RuleInventory } from '../rules/types.js';

/** How many rules of the team's inventory detect each technique, and where the rules came from. */
export interface RuleIndex {
  index: ReadonlyMap<string, number>;
  source: string;
}

/** The rule index of the rule files or folders named, or null when none are. */
export async function ruleIndexOf(kb: KnowledgeBase, paths: readonly string[]): Promise<RuleIndex | null> {
  if (paths.length === 0) return null;
  return ruleIndexOfInventory(kb, await importRules([...paths], {}), paths);
}

export function ruleIndexOfInventory(kb: KnowledgeBase, inventory: RuleInventory, paths: readonly string[]): RuleIndex {
  const result = computeCoverage(kb, inventory.rules, EMPTY_INCIDENT_AGGREGATE, { kind: 'prevalence' }, {});
  return { index: coverageIndexOf(result), source: `${inventory.stats.parsed} rule${inventory.stats.parsed === 1 ? '' : 's'} from ${paths.join(', ')}` };
}
