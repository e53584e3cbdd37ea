/**
 * `importRules`: walk the given files and folders, read rule-looking files concurrently (bounded),
 * parse each with its importer, and total the inventory. A broken file is a problem (with its line
 * where the parser gives one); the other files are still imported. Files that are clearly not
 * rules are listed as skipped.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import { fileKind, kindsFor, parseRuleFile, type FileKind } from './parse-file.js';
import {
  RULE_FORMATS,
  type DetectionRule,
  type FileParseResult,
  type ImportRulesOptions,
  type RuleFileProblem,
  type RuleFormat,
  type RuleInventory,
  type SkippedRuleFile,
} from './types.js';

interface Target {
  file: string;
  kind: FileKind;
}

/** Files under `dir` whose kind is wanted, skipping hidden folders and node_modules; sorted. */
async function walk(dir: string, kinds: FileKind[], out: Target[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      await walk(path, kinds, out);
    } else if (entry.isFile()) {
      const kind = fileKind(entry.name);
      if (kind && kinds.includes(kind)) out.push({ file: path, kind });
    }
  }
}

function kindOfNamedFile(file: string, format: RuleFormat | 'auto'): FileKind {
  const kind = fileKind(file);
  if (kind) return kind;
  if (format === 'auto') throw new InputError(`${file}: cannot tell the rule format from the extension (.yml, .yaml, .toml, .csv); pass --format`, { file });
  const [only] = kindsFor(format);
  return only ?? 'yaml';
}

/** Lists the files to read. Unknown paths are bad input, reported before anything is read. */
export async function collectRuleFiles(paths: string[], format: RuleFormat | 'auto' = 'auto'): Promise<Target[]> {
  const kinds = kindsFor(format);
  const targets: Target[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new InputError(`${path}: no such file or directory`, { file: path });
    }
    if (info.isDirectory()) await walk(path, kinds, targets);
    else targets.push({ file: path, kind: kindOfNamedFile(path, format) });
  }
  const seen = new Set<string>();
  return targets.filter((t) => (seen.has(t.file) ? false : (seen.add(t.file), true)));
}

async function parseAll(targets: Target[], format: RuleFormat | 'auto', concurrency: number): Promise<FileParseResult[]> {
  const results: FileParseResult[] = new Array<FileParseResult>(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index] as Target;
      let source: string;
      try {
        source = await readFile(target.file, 'utf8');
      } catch (error) {
        results[index] = { rules: [], problems: [{ file: target.file, reason: `cannot read: ${error instanceof Error ? error.message : String(error)}` }] };
        continue;
      }
      results[index] = parseRuleFile(source, target.file, target.kind, format);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, targets.length)) }, worker));
  return results;
}

/** Totals per-file results into an inventory (exported for callers that parse text themselves). */
export function summarise(results: FileParseResult[], files: string[], includeDeprecated: boolean): RuleInventory {
  const rules: DetectionRule[] = [];
  const problems: RuleFileProblem[] = [];
  const skippedFiles: SkippedRuleFile[] = [];
  results.forEach((result, index) => {
    rules.push(...result.rules);
    problems.push(...result.problems);
    if (result.skipped !== undefined && result.rules.length === 0 && result.problems.length === 0) {
      skippedFiles.push({ file: files[index] ?? '', reason: result.skipped });
    }
  });
  const byFormat = Object.fromEntries(RULE_FORMATS.map((f) => [f, 0])) as Record<RuleFormat, number>;
  const techniqueIds = new Set<string>();
  const tactics = new Set<string>();
  let mapped = 0;
  let deprecated = 0;
  const unmappedRules: RuleInventory['unmappedRules'] = [];
  for (const rule of rules) {
    byFormat[rule.format] += 1;
    for (const id of rule.techniqueIds) techniqueIds.add(id);
    for (const tactic of rule.tactics) tactics.add(tactic);
    if (rule.deprecated) deprecated += 1;
    if (rule.deprecated && !includeDeprecated) continue;
    if (rule.techniqueIds.length > 0) mapped += 1;
    else unmappedRules.push({ id: rule.id, name: rule.name, file: rule.file });
  }
  return {
    files: files.length,
    rules,
    problems,
    skippedFiles,
    stats: {
      files: files.length,
      parsed: rules.length,
      failed: problems.length,
      skipped: skippedFiles.length,
      mapped,
      unmapped: unmappedRules.length,
      deprecated,
    },
    unmappedRules,
    techniqueIds: [...techniqueIds].sort(),
    tactics: [...tactics].sort(),
    byFormat,
  };
}

/**
 * Imports detection rules from files and folders. Folders are walked recursively (hidden folders
 * and node_modules skipped) for `.yml`/`.yaml`/`.toml`/`.csv` files as the format reads them.
 * Throws InputError only for a path that does not exist or a named file whose format cannot be told;
 * everything wrong inside files is returned in `problems`.
 */
export async function importRules(paths: string[], options: ImportRulesOptions = {}): Promise<RuleInventory> {
  const format = options.format ?? 'auto';
  if (format !== 'auto' && !RULE_FORMATS.includes(format)) throw new InputError(`unknown rule format ${String(format)}: expected auto, ${RULE_FORMATS.join(', ')}`);
  const targets = await collectRuleFiles(paths, format);
  const results = await parseAll(targets, format, options.concurrency ?? 64);
  return summarise(
    results,
    targets.map((t) => t.file),
    options.includeDeprecated ?? false,
  );
}
