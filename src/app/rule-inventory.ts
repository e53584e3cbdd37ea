import { createHash } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type { CoverageRule } from '../analysis/coverage/types.js';
import type { KnowledgeBase } from '../attack/types.js';
import { canonicalJson } from '../model/canonical-json.js';
import { importRules } from '../rules/index.js';
import type { DetectionRule, RuleFormat, RuleInventory } from '../rules/types.js';
import type { OpenedStore } from '../store/index.js';
import { listRuleImportChanges, listRuleImports, listStoredRules, writeRuleImport, type RuleChange, type RuleImportRecord, type StoredRule } from '../store/rules/inventory.js';
import { auditedWrite } from './audit.js';
import { verifyDetectionItemsIn, type VerificationOutcome } from './detection-verification.js';

/**
 * The team's stored rule inventory: `hindsight rules import` reads the rule repository (a snapshot:
 * rules no longer in it are removed), stores each rule with the live techniques it covers and a hash
 * of its content, records what the import added, changed and removed and how many techniques it
 * covered, and re-checks every detection-engineering action item against the result, all in one
 * transaction. Coverage, the review and the web app use the stored inventory when not given `--rules`.
 */

export interface RuleImportResult {
  import: RuleImportRecord;
  changes: RuleChange[];
  /** Files that could not be read or parsed, with why (their rules are not in the import). */
  problems: { file: string; line?: number; reason: string }[];
  /** Rule ids that appeared more than once; the first is kept. */
  duplicates: string[];
  /** Technique references unknown to the loaded ATT&CK version, per rule. */
  unknownTechniques: { rule: string; techniques: string[] }[];
  verification: VerificationOutcome[];
}

/** Reads the rule files and folders and stores them as the new inventory. */
export async function importRuleInventory(store: OpenedStore, kb: KnowledgeBase, actor: string, paths: readonly string[], options: { format?: RuleFormat | 'auto'; at?: Date } = {}): Promise<RuleImportResult> {
  const inventory = await importRules([...paths], { format: options.format ?? 'auto', includeDeprecated: true });
  const at = (options.at ?? new Date()).toISOString();
  const { rules, duplicates, unknownTechniques } = storedRulesOf(kb, inventory);
  return auditedWrite(store, { actor, operation: 'rules.import' }, async (tx) => {
    const before = await listStoredRules(tx.db);
    const changes = diffRules(before, rules);
    const covered = coveredTechniques(rules);
    const record: RuleImportRecord = {
      id: `rimp_${createHash('sha256').update(`${at}|${canonicalJson(paths)}|${Math.random()}`).digest('hex').slice(0, 12)}`,
      importedAt: at,
      importedBy: actor,
      paths: paths.map((p) => resolvePath(p)),
      format: options.format ?? 'auto',
      rules: rules.length,
      added: changes.filter((c) => c.change === 'added').length,
      changed: changes.filter((c) => c.change === 'changed').length,
      removed: changes.filter((c) => c.change === 'removed').length,
      techniquesCovered: covered.length,
      coveredTechniques: covered,
    };
    await writeRuleImport(tx.db, record, changes, rules);
    const verification = await verifyDetectionItemsIn(tx, kb, actor, record);
    const { coveredTechniques: _omitted, ...summary } = record;
    return {
      result: { import: record, changes, problems: inventory.problems, duplicates, unknownTechniques, verification },
      entityId: record.id,
      after: { ...summary, changes: changes.map((c) => `${c.change} ${c.ruleId}`) },
    };
  });
}

type RuleRow = Omit<StoredRule, 'addedImportId' | 'changedImportId'>;

/** The rules as stored: techniques resolved to live IDs (revoked ones followed), content hashed. */
function storedRulesOf(kb: KnowledgeBase, inventory: RuleInventory): { rules: RuleRow[]; duplicates: string[]; unknownTechniques: { rule: string; techniques: string[] }[] } {
  const seen = new Map<string, RuleRow>();
  const duplicates: string[] = [];
  const unknownTechniques: { rule: string; techniques: string[] }[] = [];
  for (const rule of inventory.rules) {
    if (seen.has(rule.id)) {
      duplicates.push(rule.id);
      continue;
    }
    const live: string[] = [];
    const unknown: string[] = [];
    for (const ref of rule.techniqueIds) {
      const t = kb.technique(ref);
      if (t) live.push(t.object.id);
      else unknown.push(ref);
    }
    if (unknown.length) unknownTechniques.push({ rule: rule.id, techniques: unknown });
    seen.set(rule.id, {
      id: rule.id,
      title: rule.name,
      format: rule.format,
      status: rule.status,
      deprecated: rule.deprecated,
      techniques: [...new Set(live)].sort(),
      sourceFile: rule.file,
      contentHash: contentHashOf(rule),
    });
  }
  return { rules: [...seen.values()], duplicates: [...new Set(duplicates)], unknownTechniques };
}

/** The hash of what the rule says (its source document), not where the file sits. */
function contentHashOf(rule: DetectionRule): string {
  const { file: _file, line: _line, ...content } = rule;
  return createHash('sha256').update(canonicalJson(content.raw ?? content)).digest('hex');
}

function diffRules(before: readonly StoredRule[], after: readonly RuleRow[]): RuleChange[] {
  const old = new Map(before.map((r) => [r.id, r]));
  const changes: RuleChange[] = [];
  for (const r of after) {
    const prior = old.get(r.id);
    if (!prior) changes.push({ ruleId: r.id, change: 'added', title: r.title, techniques: r.techniques });
    else if (prior.contentHash !== r.contentHash || prior.deprecated !== r.deprecated || canonicalJson(prior.techniques) !== canonicalJson(r.techniques) || prior.sourceFile !== r.sourceFile)
      changes.push({ ruleId: r.id, change: 'changed', title: r.title, techniques: r.techniques });
  }
  const now = new Set(after.map((r) => r.id));
  for (const r of before) if (!now.has(r.id)) changes.push({ ruleId: r.id, change: 'removed', title: r.title, techniques: r.techniques });
  return changes.sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}

/** Live techniques at least one rule that is not deprecated covers, sorted. */
export function coveredTechniques(rules: readonly Pick<StoredRule, 'deprecated' | 'techniques'>[]): string[] {
  return [...new Set(rules.filter((r) => !r.deprecated).flatMap((r) => r.techniques))].sort();
}

/** The stored rules as coverage reads rules. */
export function coverageRulesOf(rules: readonly StoredRule[]): CoverageRule[] {
  return rules.map((r) => ({ id: r.id, status: r.status, level: null, deprecated: r.deprecated, techniqueIds: r.techniques, tactics: [] }));
}

/** The stored inventory as a RuleInventory (for the coverage analysis and layers), or null before the first import. */
export async function storedRuleInventory(store: OpenedStore): Promise<{ inventory: RuleInventory; label: string } | null> {
  const imports = await listRuleImports(store.db);
  const last = imports[imports.length - 1];
  if (!last) return null;
  const rules = await listStoredRules(store.db);
  const detectionRules: DetectionRule[] = rules.map((r) => ({
    id: r.id,
    name: r.title,
    format: r.format as RuleFormat,
    file: r.sourceFile,
    status: r.status,
    level: null,
    deprecated: r.deprecated,
    deprecatedReason: null,
    techniqueIds: r.techniques,
    invalidReferences: [],
    tactics: [],
    logsource: null,
    dataSources: [],
    tags: [],
  }));
  const live = detectionRules.filter((r) => !r.deprecated);
  const inventory: RuleInventory = {
    files: new Set(rules.map((r) => r.sourceFile)).size,
    rules: detectionRules,
    problems: [],
    skippedFiles: [],
    stats: { files: new Set(rules.map((r) => r.sourceFile)).size, parsed: rules.length, failed: 0, skipped: 0, mapped: live.filter((r) => r.techniqueIds.length).length, unmapped: live.filter((r) => !r.techniqueIds.length).length, deprecated: rules.length - live.length },
    unmappedRules: live.filter((r) => !r.techniqueIds.length).map((r) => ({ id: r.id, name: r.name, file: r.file })),
    techniqueIds: [...new Set(detectionRules.flatMap((r) => r.techniqueIds))].sort(),
    tactics: [],
    byFormat: { sigma: 0, elastic: 0, splunk: 0, sentinel: 0, csv: 0, ...countBy(detectionRules.map((r) => r.format)) },
  };
  return { inventory, label: `the stored rule inventory (import ${last.id}, ${last.importedAt})` };
}

export interface RuleHistoryEntry extends Omit<RuleImportRecord, 'coveredTechniques'> {
  /** Techniques covered that the previous import did not cover, and those it no longer covers. */
  gained: string[];
  lost: string[];
}

/** Coverage over time: every import with its counts and the techniques gained and lost. */
export async function ruleInventoryHistory(store: OpenedStore): Promise<{ imports: RuleHistoryEntry[] }> {
  const imports = await listRuleImports(store.db);
  let previous = new Set<string>();
  const out: RuleHistoryEntry[] = [];
  for (const { coveredTechniques: covered, ...rest } of imports) {
    const now = new Set(covered);
    out.push({ ...rest, gained: covered.filter((t) => !previous.has(t)), lost: [...previous].filter((t) => !now.has(t)).sort() });
    previous = now;
  }
  return { imports: out };
}

/** What one import added, changed and removed. */
export function ruleImportChanges(store: OpenedStore, importId: string): Promise<RuleChange[]> {
  return listRuleImportChanges(store.db, importId);
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
