/**
 * Splunk security_content detections (`detections/**.yml`): `name`, `id`, `version`, `date`,
 * `status` (production/experimental/deprecated), `type` (TTP, Anomaly, Hunting, Correlation...),
 * `data_source`, `search`, and `tags` with `mitre_attack_id`, `analytic_story`, `asset_type`,
 * `security_domain`. Stories, macros, lookups, baselines and playbooks in the same repository are
 * not detections and are skipped.
 */
import { isRecord } from '../model/json.js';
import { applyDeprecatedFolder, emptyRule, text, textList, TechniqueCollector, type PlainObject } from './refs.js';
import type { DetectionRule, FileParseResult } from './types.js';

const NON_DETECTION_TYPES = new Set(['baseline', 'investigation', 'response', 'story']);

export function looksLikeSplunk(doc: unknown): boolean {
  return isRecord(doc) && typeof doc.search === 'string' && typeof doc.type === 'string' && typeof doc.name === 'string';
}

/** Why a security_content YAML document is not a detection, or null when it is one. */
export function splunkNonRuleReason(doc: unknown): string | null {
  if (!isRecord(doc)) return 'not a YAML mapping';
  if ('narrative' in doc) return 'Splunk analytic story, not a detection';
  if ('definition' in doc && !('search' in doc)) return 'Splunk macro, not a detection';
  if ('filename' in doc || 'match_type' in doc || 'collection' in doc) return 'Splunk lookup, not a detection';
  if (typeof doc.search !== 'string') return 'no search: not a Splunk detection';
  const type = text(doc.type);
  if (type === null) return 'Splunk search without a detection type (baseline or investigation), not a detection';
  if (NON_DETECTION_TYPES.has(type.toLowerCase())) return `Splunk ${type.toLowerCase()}, not a detection`;
  if (typeof doc.name !== 'string') return 'no name: not a Splunk detection';
  return null;
}

export function splunkRulesFromDocuments(docs: unknown[], file: string): FileParseResult {
  const rules: DetectionRule[] = [];
  let skipped: string | undefined;
  for (const doc of docs) {
    const reason = splunkNonRuleReason(doc);
    if (reason !== null) skipped ??= reason;
    else rules.push(splunkRule(doc as PlainObject, file));
  }
  return rules.length ? { rules, problems: [] } : { rules, problems: [], skipped: skipped ?? 'empty YAML file' };
}

function splunkRule(doc: PlainObject, file: string): DetectionRule {
  const name = text(doc.name) ?? '';
  const rule = emptyRule('splunk', file, text(doc.id) ?? file, name);
  rule.status = text(doc.status);
  const tags = isRecord(doc.tags) ? doc.tags : {};
  rule.level = text(tags.risk_score) ?? riskScoreFromRba(doc.rba);
  if (rule.status?.toLowerCase() === 'deprecated') {
    rule.deprecated = true;
    rule.deprecatedReason = 'status: deprecated';
  }
  applyDeprecatedFolder(rule);
  const techniques = new TechniqueCollector();
  for (const id of textList(tags.mitre_attack_id)) techniques.add(id);
  rule.techniqueIds = techniques.ids;
  rule.invalidReferences = techniques.invalid;
  // security_content names no ATT&CK tactics (its `kill_chain_phases` are Lockheed Martin's): tactics stay empty.
  rule.dataSources = textList(doc.data_source);
  rule.tags = textList(tags.analytic_story);
  rule.raw = doc;
  return rule;
}

/** Newer detections carry risk in `rba.risk_objects[].score`: the highest one. */
function riskScoreFromRba(rba: unknown): string | null {
  if (!isRecord(rba) || !Array.isArray(rba.risk_objects)) return null;
  const scores = rba.risk_objects.map((o) => (isRecord(o) && typeof o.score === 'number' ? o.score : NaN)).filter((n) => !Number.isNaN(n));
  return scores.length ? String(Math.max(...scores)) : null;
}
