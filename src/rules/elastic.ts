/**
 * Elastic detection-rules TOML (elastic/detection-rules `rules/**.toml`): `[metadata]` (maturity,
 * creation_date, updated_date), `[rule]` (rule_id, name, risk_score, severity, type, language,
 * query, index, tags) and `[[rule.threat]]` entries with `framework = "MITRE ATT&CK"`,
 * `[rule.threat.tactic]` and `[[rule.threat.technique]]` / `[[rule.threat.technique.subtechnique]]`
 * (id, name, reference). Threat entries of other frameworks (MITRE ATLAS) are ignored. TOML files
 * without a `[rule]` table (`_meta`, schemas, packages) are not rules.
 */
import { isRecord } from '../model/json.js';
import { parse, TomlError } from 'smol-toml';
import { applyDeprecatedFolder, emptyRule, text, textList, TechniqueCollector, uniq, type PlainObject } from './refs.js';
import type { DetectionRule, FileParseResult } from './types.js';

export function parseElasticToml(source: string, file: string): FileParseResult {
  let doc: PlainObject;
  try {
    doc = parse(source) as PlainObject;
  } catch (error) {
    if (error instanceof TomlError) {
      const firstLine = error.message.split('\n')[0] ?? error.message;
      return { rules: [], problems: [{ file, line: error.line, reason: `invalid TOML: ${firstLine}` }] };
    }
    return { rules: [], problems: [{ file, reason: `invalid TOML: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const ruleTable = doc.rule;
  if (!isRecord(ruleTable)) return { rules: [], problems: [], skipped: 'TOML without a [rule] table: not an Elastic detection rule' };
  const ruleId = text(ruleTable.rule_id);
  const name = text(ruleTable.name);
  if (!ruleId && !name) return { rules: [], problems: [{ file, reason: '[rule] has neither rule_id nor name' }] };
  return { rules: [elasticRule(doc, ruleTable, file, ruleId ?? file, name ?? ruleId ?? file)], problems: [] };
}

function elasticRule(doc: PlainObject, ruleTable: PlainObject, file: string, id: string, name: string): DetectionRule {
  const rule = emptyRule('elastic', file, id, name);
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  rule.status = text(metadata.maturity);
  rule.level = text(ruleTable.severity) ?? text(ruleTable.risk_score);
  if (rule.status?.toLowerCase() === 'deprecated') {
    rule.deprecated = true;
    rule.deprecatedReason = 'maturity = "deprecated"';
  }
  applyDeprecatedFolder(rule);
  const techniques = new TechniqueCollector();
  const tactics: string[] = [];
  const threats = Array.isArray(ruleTable.threat) ? ruleTable.threat : [];
  for (const threat of threats) {
    if (!isRecord(threat)) continue;
    const framework = text(threat.framework);
    if (framework !== null && framework !== 'MITRE ATT&CK') continue;
    if (isRecord(threat.tactic)) {
      const tactic = text(threat.tactic.id) ?? text(threat.tactic.name);
      if (tactic) tactics.push(tactic);
    }
    const list = Array.isArray(threat.technique) ? threat.technique : [];
    for (const technique of list) {
      if (!isRecord(technique)) continue;
      const tid = text(technique.id);
      if (tid) techniques.add(tid);
      const subs = Array.isArray(technique.subtechnique) ? technique.subtechnique : [];
      for (const sub of subs) {
        const sid = isRecord(sub) ? text(sub.id) : null;
        if (sid) techniques.add(sid);
      }
    }
  }
  rule.techniqueIds = techniques.ids;
  rule.invalidReferences = techniques.invalid;
  rule.tactics = uniq(tactics);
  rule.tags = textList(ruleTable.tags);
  rule.dataSources = uniq(
    rule.tags.filter((t) => /^data source:/i.test(t)).map((t) => t.slice(t.indexOf(':') + 1).trim()),
  );
  rule.raw = doc;
  return rule;
}
