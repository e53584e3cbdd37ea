/** Detection-rule inventories: Sigma, Elastic, Splunk, Sentinel and CSV importers with raw ATT&CK references. */
export { importRules, collectRuleFiles, summarise } from './import.js';
export { parseRuleFile, detectYamlFormat, fileKind } from './parse-file.js';
export { sigmaRulesFromDocuments } from './sigma.js';
export { splunkRulesFromDocuments } from './splunk.js';
export { sentinelRulesFromDocuments } from './sentinel.js';
export { parseElasticToml } from './elastic.js';
export { parseRuleCsv } from './csv.js';
export { parseYamlDocuments } from './yaml-docs.js';
export { isTechniqueId } from './refs.js';
export type {
  DetectionRule,
  FileParseResult,
  ImportRulesOptions,
  RuleFileProblem,
  RuleFormat,
  RuleInventory,
  RuleInventoryStats,
  SkippedRuleFile,
} from './types.js';
export { RULE_FORMATS } from './types.js';
