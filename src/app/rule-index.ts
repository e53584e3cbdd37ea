import { computeCoverage, coverageIndexOf } from '../analysis/coverage/compute.js';
import { EMPTY_INCIDENT_AGGREGATE } from '../analysis/coverage/types.js';
import type { KnowledgeBase } from '../attack/types.js';
import { importRules } from '../rules/index.js';
import type { RuleInventory } from '../rules/types.js';
import type { OpenedStore } from '../store/index.js';
import { storedRuleInventory } from './rule-inventory.js';

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

/** The rules a server was started with, as read at one moment. */
export interface RulesRead {
  /** When they were read (Date.now()): a later read replaces everything computed from them. */
  readAt: number;
  inventory: RuleInventory;
  index: RuleIndex;
}

/**
 * A server's detection rules: read from its rule files on first use and again when older than
 * `ttlMs` (rules change in the repository the server reads them from); null when it was given no
 * rules. One read serves the review's Detection section (the index) and the coverage layers (the
 * inventory), so the files are parsed once per period, not once per use.
 */
export class RuleSource {
  private cached: { at: number; value: Promise<RulesRead | null> } | undefined;

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly paths: readonly string[],
    private readonly ttlMs = 5 * 60_000,
    /** Without rule paths: the stored inventory of this store (hindsight rules import). */
    private readonly store?: OpenedStore,
  ) {}

  /** Forgets the last read (after a rules import changed the stored inventory). */
  invalidate(): void {
    this.cached = undefined;
  }

  get(): Promise<RulesRead | null> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.ttlMs) {
      const value = this.read(now);
      this.cached = { at: now, value };
      // A failed read is tried again on the next request rather than remembered.
      value.catch(() => (this.cached = undefined));
    }
    return this.cached.value;
  }

  /** The rule index per technique, or null without rules. */
  async index(): Promise<RuleIndex | null> {
    return (await this.get())?.index ?? null;
  }

  private async read(readAt: number): Promise<RulesRead | null> {
    if (this.paths.length === 0) {
      if (!this.store) return null;
      const stored = await storedRuleInventory(this.store);
      const index = await storedRuleIndex(this.store, this.kb);
      return stored && index ? { readAt, inventory: stored.inventory, index } : null;
    }
    const inventory = await importRules([...this.paths], {});
    return { readAt, inventory, index: ruleIndexOfInventory(this.kb, inventory, this.paths) };
  }
}

/** The stored inventory's rule index per technique (the review's Detection section), or null before the first import. */
export async function storedRuleIndex(store: OpenedStore, kb: KnowledgeBase): Promise<RuleIndex | null> {
  const stored = await storedRuleInventory(store);
  if (!stored) return null;
  const index = ruleIndexOfInventory(kb, stored.inventory, []);
  return { index: index.index, source: `${stored.inventory.stats.parsed} rules from ${stored.label}` };
}
