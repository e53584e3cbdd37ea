/**
 * Sigma rules (SigmaHQ specification): `title`, `id`, `status`, `level`, `logsource`, `tags`
 * (`attack.t1059.001`, `attack.execution`, `attack.stealth`, `attack.g0016`, `cve.2021-44228`...).
 * A file may hold a collection of documents separated by `---`: `action: global` documents are
 * merged into the following ones, `action: reset` clears them, `action: repeat` re-uses the previous
 * rule with changes (as pySigma's SigmaCollection does). Detection rules and correlation rules are
 * rules; filters and other documents are not.
 */
import { isRecord } from '../model/json.js';
import {
  applyDeprecatedFolder,
  emptyRule,
  text,
  textList,
  TechniqueCollector,
  uniq,
  type PlainObject,
} from './refs.js';
import type { DetectionRule, FileParseResult } from './types.js';

const TECHNIQUE_TAG = /^attack\.t\d/i;
const TACTIC_ID_TAG = /^attack\.ta\d{4}$/i;
const TACTIC_NAME_TAG = /^attack\.[a-z][a-z_-]*$/i;
/** `attack.*` tags that name something other than a tactic. */
const NON_TACTIC = /^attack\.(?:[gsmc]\d{4}|ds\d{4})$/i;

/** Is this YAML document a Sigma rule, a correlation, or part of a collection? */
export function looksLikeSigma(doc: unknown): boolean {
  if (!isRecord(doc)) return false;
  return isRecord(doc.detection) || isRecord(doc.correlation) || typeof doc.action === 'string' || (isRecord(doc.filter) && 'logsource' in doc);
}

/** Why a YAML document is clearly not a Sigma rule (used for skipped files). */
export function sigmaNonRuleReason(doc: unknown): string {
  if (!isRecord(doc)) return 'not a YAML mapping';
  if (isRecord(doc.filter)) return 'Sigma filter, not a rule';
  if ('logsources' in doc || 'fieldmappings' in doc || 'backends' in doc) return 'Sigma configuration file, not a rule (no detection)';
  return 'no detection section: not a Sigma rule';
}

/** Rules from the documents of one Sigma file. */
export function sigmaRulesFromDocuments(docs: unknown[], file: string): FileParseResult {
  const rules: DetectionRule[] = [];
  const skippedReasons: string[] = [];
  let global: PlainObject | null = null;
  let previous: PlainObject | null = null;
  docs.forEach((doc, index) => {
    if (!isRecord(doc)) {
      skippedReasons.push('not a YAML mapping');
      return;
    }
    const { action, ...body } = doc;
    let merged: PlainObject;
    if (action === 'global') {
      global = body;
      return;
    } else if (action === 'reset') {
      global = null;
      return;
    } else if (action === 'repeat') {
      if (!previous) {
        skippedReasons.push('action: repeat without a previous rule');
        return;
      }
      merged = deepMerge(previous, body);
    } else {
      merged = global ? deepMerge(global, body) : body;
    }
    previous = merged;
    if (!isRecord(merged.detection) && !isRecord(merged.correlation)) {
      skippedReasons.push(sigmaNonRuleReason(merged));
      return;
    }
    rules.push(sigmaRule(merged, file, docs.length > 1 ? index : undefined));
  });
  if (rules.length === 0) return { rules, problems: [], skipped: skippedReasons[0] ?? 'empty YAML file' };
  return { rules, problems: [] };
}

function sigmaRule(doc: PlainObject, file: string, docIndex: number | undefined): DetectionRule {
  const id = text(doc.id) ?? (docIndex === undefined ? file : `${file}#${docIndex}`);
  const rule = emptyRule('sigma', file, id, text(doc.title) ?? text(doc.name) ?? id);
  rule.status = text(doc.status);
  rule.level = text(doc.level);
  if (rule.status?.toLowerCase() === 'deprecated') {
    rule.deprecated = true;
    rule.deprecatedReason = 'status: deprecated';
  }
  applyDeprecatedFolder(rule);
  rule.tags = textList(doc.tags);
  const techniques = new TechniqueCollector();
  const tactics: string[] = [];
  for (const tag of rule.tags) {
    if (TECHNIQUE_TAG.test(tag)) techniques.add(tag.slice('attack.'.length), tag);
    else if (TACTIC_ID_TAG.test(tag)) tactics.push(tag.slice('attack.'.length).toUpperCase());
    else if (TACTIC_NAME_TAG.test(tag) && !NON_TACTIC.test(tag)) tactics.push(tag.slice('attack.'.length));
  }
  rule.techniqueIds = techniques.ids;
  rule.invalidReferences = techniques.invalid;
  rule.tactics = uniq(tactics);
  if (isRecord(doc.logsource)) {
    const logsource: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.logsource)) {
      const v = text(value);
      if (v !== null) logsource[key] = v;
    }
    rule.logsource = logsource;
  }
  rule.raw = doc;
  return rule;
}

/** pySigma's deep_dict_update: mappings merge recursively, anything else in `update` wins. */
function deepMerge(base: PlainObject, update: PlainObject): PlainObject {
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const current = out[key];
    out[key] = isRecord(current) && isRecord(value) ? deepMerge(current, value) : value;
  }
  return out;
}
