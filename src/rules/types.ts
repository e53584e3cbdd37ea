/**
 * Detection-rule inventories: the records every importer produces. References to ATT&CK are kept
 * RAW (as the rule wrote them, technique IDs upper-cased); resolving them against the knowledge
 * base is a later step.
 */

export type RuleFormat = 'sigma' | 'elastic' | 'splunk' | 'sentinel' | 'csv';

export const RULE_FORMATS: readonly RuleFormat[] = ['sigma', 'elastic', 'splunk', 'sentinel', 'csv'];

export interface DetectionRule {
  id: string;
  name: string;
  format: RuleFormat;
  /** The file the rule came from, as it was reached from the given paths. */
  file: string;
  /** 1-based line of the row, for CSV inventories. */
  line?: number;
  status: string | null;
  /** Severity or risk, as the format writes it (`high`, `medium`, `47`...). */
  level: string | null;
  deprecated: boolean;
  deprecatedReason: string | null;
  /** Technique IDs as written, upper-cased, syntactically valid (`T1059.001`), deduplicated, in order. */
  techniqueIds: string[];
  /** Technique references that are not syntactically valid IDs, as written (e.g. `attack.t1059.1`). */
  invalidReferences: string[];
  /** Tactic references as written: `defense-evasion`, `stealth`, `TA0005`, `DefenseEvasion`. */
  tactics: string[];
  logsource: Record<string, string> | null;
  dataSources: string[];
  tags: string[];
  /** The source document (YAML/TOML object or CSV record). */
  raw?: unknown;
}

export interface RuleFileProblem {
  file: string;
  line?: number;
  reason: string;
}

export interface SkippedRuleFile {
  file: string;
  reason: string;
}

export interface RuleInventoryStats {
  /** Files looked at (rule-looking files found by walking plus files named directly). */
  files: number;
  /** Rules parsed (all of them, deprecated included). */
  parsed: number;
  /** Problems that cost rules: one per broken file, one per bad CSV row. */
  failed: number;
  /** Files that are clearly not rules (README, Sigma config, Splunk story...). */
  skipped: number;
  /**
   * Rules carrying at least one valid technique ID. When `includeDeprecated` is false (the
   * default) deprecated rules are left out of `mapped` and `unmapped`; when true they count.
   */
  mapped: number;
  /** Rules with no valid technique ID (same deprecated rule as `mapped`). */
  unmapped: number;
  /** Rules flagged deprecated (always counted, whatever `includeDeprecated` says). */
  deprecated: number;
}

export interface RuleInventory {
  files: number;
  rules: DetectionRule[];
  problems: RuleFileProblem[];
  skippedFiles: SkippedRuleFile[];
  stats: RuleInventoryStats;
  /** Rules with no valid technique ID (deprecated ones only when `includeDeprecated`). */
  unmappedRules: { id: string; name: string; file: string }[];
  /** Every distinct technique ID found, sorted. */
  techniqueIds: string[];
  /** Every distinct tactic reference found, as written, sorted. */
  tactics: string[];
  /** Rules parsed per format. */
  byFormat: Record<RuleFormat, number>;
}

export interface ImportRulesOptions {
  /** `auto` (the default) detects the format per file from its extension and content. */
  format?: RuleFormat | 'auto';
  /** Count deprecated rules in `mapped`/`unmapped`/`unmappedRules` too. Default false. */
  includeDeprecated?: boolean;
  /** Files read at once. Default 64. */
  concurrency?: number;
}

/** What one file gave: rules, or a reason it is not a rule file, plus problems. */
export interface FileParseResult {
  rules: DetectionRule[];
  problems: RuleFileProblem[];
  /** Set when the file holds no rule at all and is not broken: why it is skipped. */
  skipped?: string;
}
