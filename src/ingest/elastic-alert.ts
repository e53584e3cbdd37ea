import { SEVERITY_VALUES, normaliseEnum } from '../model/enums.js';
import type { Alert, StatusChange } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { EcsDocument } from './elastic-doc.js';
import { mapElasticEntities } from './elastic-entities.js';
import { dedupe, describe, stableHash, type Where } from './fields.js';
import { latest } from './history.js';

/** The product family of Elastic Security records (alerts and cases alike, so they meet in the store). */
export const ELASTIC_SOURCE = 'elastic-security';

/** `kibana.alert.workflow_status` to Hindsight's alert status (`in-progress` is the 7.x spelling of acknowledged). */
const WORKFLOW_STATUS: Record<string, string> = { open: 'new', acknowledged: 'inProgress', 'in-progress': 'inProgress', closed: 'resolved' };

/** `kibana.alert.workflow_reason` (the reason given when closing) to a classification; others are kept as given. */
const CLOSING_REASON: Record<string, string> = {
  false_positive: 'falsePositive',
  true_positive: 'truePositive',
  benign_positive: 'informationalExpectedActivity',
};

/** Is this document an Elastic Security detection alert? */
export function isElasticAlert(doc: EcsDocument): boolean {
  return doc.get('kibana.alert.rule') !== undefined && doc.get('kibana.alert.uuid') !== undefined;
}

/**
 * One Elastic Security detection alert document (`.alerts-security.alerts-*`), read by ECS field
 * name whether its keys are flattened or nested (see EcsDocument).
 */
export function parseElasticAlert(obj: JsonObject, where: Where, doc = new EcsDocument(obj, where)): Alert {
  const sourceId = doc.text('kibana.alert.uuid') ?? legacySignalId(doc) ?? doc.at('kibana.alert.uuid').fail('required field "kibana.alert.uuid" is missing');
  const createdAt = doc.time('@timestamp') ?? doc.time('kibana.alert.start') ?? doc.at('@timestamp').fail('required field "@timestamp" is missing');
  const statusChangedAt = doc.time('kibana.alert.workflow_status_updated_at');
  const updatedAt = latest([createdAt, statusChangedAt, doc.time('kibana.alert.updated_at'), doc.time('kibana.alert.last_detected')].filter((t): t is string => t !== null))!;
  const workflow = doc.first('kibana.alert.workflow_status', 'signal.status');
  const status = workflow === null ? 'new' : (WORKFLOW_STATUS[workflow.toLowerCase()] ?? workflow);
  const resolvedAt = status === 'resolved' ? (statusChangedAt ?? updatedAt) : null;
  const reason = doc.text('kibana.alert.workflow_reason');
  const classification = reason === null ? null : (CLOSING_REASON[reason.toLowerCase()] ?? reason);
  const statusBy = doc.first('kibana.alert.workflow_user', 'kibana.alert.updated_by.user.name');
  const assignedTo = doc.texts('kibana.alert.workflow_assignee_ids')[0] ?? null;
  const attack = elasticAttack(doc);

  const history: StatusChange[] = [{ field: 'status', from: null, to: 'new', at: createdAt, by: null, origin: 'source' }];
  const clamp = (t: string) => (t < createdAt ? createdAt : t);
  if (status !== 'new') history.push({ field: 'status', from: 'new', to: status, at: clamp(statusChangedAt ?? updatedAt), by: statusBy, origin: 'source' });
  if (assignedTo) history.push({ field: 'assignedTo', from: null, to: assignedTo, at: clamp(doc.time('kibana.alert.updated_at') ?? updatedAt), by: null, origin: 'source' });
  if (classification) history.push({ field: 'classification', from: null, to: classification, at: clamp(resolvedAt ?? updatedAt), by: statusBy, origin: 'source' });
  history.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  return {
    sourceId,
    providerAlertId: doc.text('kibana.alert.original_event.id'),
    title: doc.first('kibana.alert.rule.name', 'signal.rule.name') ?? `Alert ${sourceId}`,
    description: doc.first('kibana.alert.reason', 'kibana.alert.rule.description'),
    severity: elasticSeverity(doc),
    status,
    classification,
    determination: null,
    category: attack.tactics[0] ?? null,
    serviceSource: 'Elastic Security',
    detectionSource: doc.text('kibana.alert.rule.type'),
    // The rule that fired: its rule_id is the same in every Kibana space and install (prebuilt rules keep it).
    detectorId: doc.first('kibana.alert.rule.rule_id', 'kibana.alert.rule.uuid'),
    productName: 'Elastic Security',
    assignedTo,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    createdAt,
    updatedAt,
    firstActivityAt: doc.time('kibana.alert.original_time') ?? doc.time('kibana.alert.suppression.start'),
    lastActivityAt: doc.time('kibana.alert.suppression.end') ?? doc.time('kibana.alert.original_time'),
    resolvedAt,
    techniques: attack.techniques,
    recommendedActions: doc.text('kibana.alert.rule.note'),
    webUrl: doc.text('kibana.alert.url'),
    evidence: mapElasticEntities(doc),
    comments: [],
    statusHistory: history,
    raw: obj,
  };
}

/**
 * A 7.x signal has no id field of its own (its `_id` is a hash Kibana made of the source event and
 * the rule): the same pair, the event it came from (`signal.parent`/`ancestors`) and the rule's id,
 * gives it a stable id, so re-importing the same signals finds the same alerts.
 */
function legacySignalId(doc: EcsDocument): string | null {
  if (doc.get('signal.rule') === undefined) return null;
  const origin = doc.get('signal.parents') ?? doc.get('signal.parent') ?? doc.get('signal.ancestors') ?? doc.get('@timestamp');
  return `signal-${stableHash({ origin, rule: doc.first('signal.rule.id', 'signal.rule.rule_id', 'signal.rule.name') })}`;
}

/**
 * `kibana.alert.severity` (low, medium, high, critical), else the rule's severity, else the
 * documented risk score bands (0-21 low, 22-47 medium, 48-73 high, 74-100 critical).
 */
function elasticSeverity(doc: EcsDocument): string {
  const given = doc.first('kibana.alert.severity', 'kibana.alert.rule.severity', 'signal.rule.severity');
  if (given !== null) return normaliseEnum(given, SEVERITY_VALUES) ?? 'unknown';
  const score = doc.number('kibana.alert.risk_score') ?? doc.number('kibana.alert.rule.risk_score');
  if (score === null) return 'unknown';
  return score >= 74 ? 'critical' : score >= 48 ? 'high' : score >= 22 ? 'medium' : 'low';
}

/**
 * ATT&CK of an alert: `kibana.alert.rule.threat` (else `kibana.alert.rule.parameters.threat`; the rule's `[{framework, tactic: {id, name},
 * technique: [{id, name, subtechnique: [{id, name}]}]}]`) and, when that names no technique, the
 * ECS `threat` field set of the source event (`threat.technique.id`, `threat.technique.subtechnique.id`,
 * multi-valued; or the same array shape as the rule's). Sub-techniques are listed after their technique.
 */
export function elasticAttack(doc: EcsDocument): { techniques: string[]; tactics: string[] } {
  let fromRule = threatList(doc, 'kibana.alert.rule.threat');
  // Older alert documents keep the rule's threat only among its parameters.
  if (fromRule.techniques.length === 0 && doc.get('kibana.alert.rule.threat') === undefined) fromRule = threatList(doc, 'kibana.alert.rule.parameters.threat');
  if (fromRule.techniques.length > 0) return fromRule;
  const ecs = doc.get('threat');
  if (Array.isArray(ecs)) return threatList(doc, 'threat');
  const techniques = dedupe([...doc.texts('threat.technique.id'), ...doc.texts('threat.technique.subtechnique.id')]);
  const tactics = doc.texts('threat.tactic.name');
  return { techniques, tactics: fromRule.tactics.length > 0 ? fromRule.tactics : tactics };
}

function threatList(doc: EcsDocument, field: string): { techniques: string[]; tactics: string[] } {
  const value = doc.get(field);
  const techniques: string[] = [];
  const tactics: string[] = [];
  if (value === null || value === undefined) return { techniques, tactics };
  const at = doc.at(field);
  const entries = Array.isArray(value) ? value : [value];
  entries.forEach((entry, i) => {
    const w = Array.isArray(value) ? at.index(i) : at;
    if (!isRecord(entry)) return w.fail(`expected a threat object, got ${describe(entry)}`);
    const framework = Array.isArray(entry.framework) ? entry.framework[0] : entry.framework;
    if (typeof framework === 'string' && !/att&ck|attack/i.test(framework)) return;
    // A tactic name is one text in the rule's threat, a list in ECS and in fields-API output.
    const tactic = entry.tactic;
    const names: unknown[] = isRecord(tactic) ? (Array.isArray(tactic.name) ? tactic.name : [tactic.name]) : [];
    for (const name of names) if (typeof name === 'string' && name.trim() !== '') tactics.push(name.trim());
    forEachId(entry.technique, w.key('technique'), (technique, tw) => {
      techniques.push(technique.id);
      forEachId(technique.raw.subtechnique, tw.key('subtechnique'), (sub) => techniques.push(sub.id));
    });
  });
  return { techniques: dedupe(techniques), tactics: dedupe(tactics) };
}

/** Visits the `{id, name}` objects of a technique or subtechnique list, refusing what is not one. */
function forEachId(list: unknown, where: Where, visit: (item: { id: string; raw: JsonObject }, where: Where) => void): void {
  if (list === null || list === undefined) return;
  const items = Array.isArray(list) ? list : [list];
  items.forEach((item, i) => {
    const w = Array.isArray(list) ? where.index(i) : where;
    if (!isRecord(item)) return w.fail(`expected a technique object, got ${describe(item)}`);
    // ECS spells the ids of one threat entry as a list (`threat.technique.id: ["T1071"]`).
    const ids = Array.isArray(item.id) ? item.id : [item.id];
    ids.forEach((id, j) => {
      if (id === null || id === undefined || id === '') return;
      const at = Array.isArray(item.id) ? w.key('id').index(j) : w.key('id');
      if (typeof id !== 'string') return at.fail(`expected a technique ID string, got ${describe(id)}`);
      visit({ id: id.trim().toUpperCase(), raw: item }, w);
    });
  });
}
