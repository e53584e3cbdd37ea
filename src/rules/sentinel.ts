/**
 * Microsoft Sentinel analytic rules (Azure-Sentinel `Solutions/<solution>/Analytic Rules/*.yaml`
 * and `Detections/`): `id`, `name`, `severity`, `requiredDataConnectors` (`connectorId`,
 * `dataTypes`), `queryFrequency`, `tactics` (`CredentialAccess`), `relevantTechniques` (`T1110`,
 * `T1110.003`), `query`, `kind` (Scheduled, NRT), `version`, sometimes `status`. Hunting queries
 * (a `query` without a schedule or kind) are not analytic rules and are skipped.
 */
import { isRecord } from '../model/json.js';
import { applyDeprecatedFolder, emptyRule, text, textList, TechniqueCollector, uniq, type PlainObject } from './refs.js';
import type { DetectionRule, FileParseResult } from './types.js';

export function looksLikeSentinel(doc: unknown): boolean {
  return isRecord(doc) && typeof doc.query === 'string' && ('queryFrequency' in doc || 'kind' in doc || 'triggerOperator' in doc);
}

export function sentinelNonRuleReason(doc: unknown): string | null {
  if (!isRecord(doc)) return 'not a YAML mapping';
  if (typeof doc.query !== 'string') return 'no query: not a Sentinel analytic rule';
  if (!looksLikeSentinel(doc)) return 'Sentinel hunting query (no queryFrequency or kind), not an analytic rule';
  return null;
}

export function sentinelRulesFromDocuments(docs: unknown[], file: string): FileParseResult {
  const rules: DetectionRule[] = [];
  let skipped: string | undefined;
  for (const doc of docs) {
    const reason = sentinelNonRuleReason(doc);
    if (reason !== null) skipped ??= reason;
    else rules.push(sentinelRule(doc as PlainObject, file));
  }
  return rules.length ? { rules, problems: [] } : { rules, problems: [], skipped: skipped ?? 'empty YAML file' };
}

function sentinelRule(doc: PlainObject, file: string): DetectionRule {
  const id = text(doc.id) ?? file;
  const rule = emptyRule('sentinel', file, id, text(doc.name) ?? id);
  rule.status = text(doc.status);
  rule.level = text(doc.severity);
  if (/\[deprecated\]/i.test(rule.name)) {
    rule.deprecated = true;
    rule.deprecatedReason = 'name contains [Deprecated]';
  } else if (rule.status?.toLowerCase() === 'deprecated') {
    rule.deprecated = true;
    rule.deprecatedReason = 'status: deprecated';
  }
  applyDeprecatedFolder(rule);
  const techniques = new TechniqueCollector();
  for (const id of textList(doc.relevantTechniques)) techniques.add(id);
  for (const id of textList(doc.subTechniques)) techniques.add(id);
  rule.techniqueIds = techniques.ids;
  rule.invalidReferences = techniques.invalid;
  rule.tactics = uniq(textList(doc.tactics));
  const dataTypes: string[] = [];
  if (Array.isArray(doc.requiredDataConnectors)) {
    for (const connector of doc.requiredDataConnectors) {
      if (isRecord(connector)) dataTypes.push(...textList(connector.dataTypes));
    }
  }
  rule.dataSources = uniq(dataTypes);
  const kind = text(doc.kind);
  rule.tags = kind ? [`kind:${kind}`] : [];
  rule.raw = doc;
  return rule;
}
