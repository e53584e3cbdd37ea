/** One rule file, whatever its format: pick the importer (by the format asked for, else by extension and content) and run it. */
import { parseRuleCsv } from './csv.js';
import { parseElasticToml } from './elastic.js';
import { isRecord } from '../model/json.js';
import { looksLikeSentinel, sentinelRulesFromDocuments } from './sentinel.js';
import { looksLikeSigma, sigmaNonRuleReason, sigmaRulesFromDocuments } from './sigma.js';
import { looksLikeSplunk, splunkNonRuleReason, splunkRulesFromDocuments } from './splunk.js';
import type { FileParseResult, RuleFormat } from './types.js';
import { parseYamlDocuments } from './yaml-docs.js';

export type FileKind = 'yaml' | 'toml' | 'csv';

export function fileKind(file: string): FileKind | null {
  const lower = file.toLowerCase();
  if (lower.endsWith('.yml') || lower.endsWith('.yaml')) return 'yaml';
  if (lower.endsWith('.toml')) return 'toml';
  if (lower.endsWith('.csv')) return 'csv';
  return null;
}

/** The file kinds a format reads. */
export function kindsFor(format: RuleFormat | 'auto'): FileKind[] {
  switch (format) {
    case 'elastic':
      return ['toml'];
    case 'csv':
      return ['csv'];
    case 'auto':
      return ['yaml', 'toml', 'csv'];
    default:
      return ['yaml'];
  }
}

/** Detects the YAML dialect of a file's documents: Sigma, Splunk, Sentinel, or null. */
export function detectYamlFormat(docs: unknown[]): 'sigma' | 'splunk' | 'sentinel' | null {
  if (docs.some(looksLikeSigma)) return 'sigma';
  const first = docs[0];
  if (looksLikeSplunk(first)) return 'splunk';
  if (looksLikeSentinel(first)) return 'sentinel';
  return null;
}

function nonRuleYamlReason(docs: unknown[]): string {
  const first = docs[0];
  if (first === undefined) return 'empty YAML file';
  if (!isRecord(first)) return 'YAML that is not a mapping: not a rule';
  if (isRecord(first.filter)) return sigmaNonRuleReason(first);
  if ('logsources' in first || 'fieldmappings' in first || 'backends' in first) return sigmaNonRuleReason(first);
  const splunk = splunkNonRuleReason(first);
  if (splunk && /^Splunk/.test(splunk)) return splunk;
  if (typeof first.query === 'string') return 'Sentinel hunting query (no queryFrequency or kind), not an analytic rule';
  return 'YAML without detection, search or query: not a Sigma, Splunk or Sentinel rule';
}

/** Parses one file's text. `kind` comes from the extension, or from `format` for files named directly. */
export function parseRuleFile(source: string, file: string, kind: FileKind, format: RuleFormat | 'auto'): FileParseResult {
  if (kind === 'toml') return parseElasticToml(source, file);
  if (kind === 'csv') return parseRuleCsv(source, file, format === 'csv');
  const yaml = parseYamlDocuments(source, file);
  if (!yaml.ok) return { rules: [], problems: [yaml.problem] };
  const dialect = format === 'auto' ? detectYamlFormat(yaml.docs) : format;
  switch (dialect) {
    case 'sigma':
      return sigmaRulesFromDocuments(yaml.docs, file);
    case 'splunk':
      return splunkRulesFromDocuments(yaml.docs, file);
    case 'sentinel':
      return sentinelRulesFromDocuments(yaml.docs, file);
    default:
      return { rules: [], problems: [], skipped: nonRuleYamlReason(yaml.docs) };
  }
}
