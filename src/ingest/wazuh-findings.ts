import { SEVERITY_VALUES, normaliseEnum } from '../model/enums.js';
import type { Entity } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { EcsDocument } from './elastic-doc.js';
import { elasticGroupHints, mapElasticEntities } from './elastic-entities.js';
import { dedupe, stableHash, type Where } from './fields.js';
import type { MappedRecord } from './formats.js';
import { entity, makeAlert, scalars } from './soc-fields.js';

/**
 * Wazuh 5 findings (`wazuh-findings-*`, the dashboard's own sample data): ECS documents whose Wazuh
 * part sits under `wazuh` (`wazuh.rule` with a severity label for `level` and ATT&CK as
 * `mitre.tactic/technique/subtechnique` each `{id: [...], name: [...]}`, `wazuh.agent`,
 * `wazuh.integration`). The event's own fields are plain ECS, so entities are read as an Elastic
 * document's are.
 */
export function isWazuhFinding(obj: JsonObject): boolean {
  // A classic alert keeps its Wazuh rule at the top (`rule.level`); a finding's top-level `rule` is ECS's.
  return '@timestamp' in obj && isRecord(obj.wazuh) && isRecord(obj.wazuh.rule) && !(isRecord(obj.rule) && 'level' in obj.rule);
}

export function parseWazuhFinding(obj: JsonObject, where: Where, source: string): MappedRecord {
  const doc = new EcsDocument(obj, where);
  const createdAt = doc.time('@timestamp') ?? doc.at('@timestamp').fail('required field "@timestamp" is missing');
  const ruleId = doc.text('wazuh.rule.id');
  const level = doc.text('wazuh.rule.level');
  const severity = level === null ? 'unknown' : /^\d+$/.test(level) ? wazuhSeverity(Number(level)) : (normaliseEnum(level, SEVERITY_VALUES) ?? 'unknown');
  const techniques = dedupe([...doc.texts('wazuh.rule.mitre.technique.id'), ...doc.texts('wazuh.rule.mitre.subtechnique.id')].map((t) => t.toUpperCase()));
  const tactics = doc.texts('wazuh.rule.mitre.tactic.name');
  const evidence: Entity[] = mapElasticEntities(doc);
  const group = elasticGroupHints(doc);
  const agent = doc.get('wazuh.agent');
  const agentName = doc.first('wazuh.agent.name', 'wazuh.agent.host.hostname');
  if (isRecord(agent) && agentName) {
    evidence.push(entity('device', 'wazuh:agent', agentName, agentName, scalars(agent), agent, { roles: ['reporter'] }));
    if (group.hosts.length === 0) group.hosts.push(agentName);
  }
  // No id of its own (`event.id` is the source event's, shared by every rule it matched): the
  // content names it, so the same finding imported again is the same alert.
  const sourceId = `${createdAt}:${ruleId ?? ''}:${stableHash(obj)}`;
  const alert = makeAlert({
    sourceId,
    title: doc.first('wazuh.rule.title', 'wazuh.rule.name', 'message') ?? `Wazuh rule ${ruleId ?? '?'}`,
    description: doc.text('message'),
    severity,
    status: 'new',
    category: tactics.length > 0 ? dedupe(tactics).join(', ') : null,
    serviceSource: doc.first('wazuh.integration.name', 'event.dataset'),
    detectionSource: doc.texts('wazuh.integration.decoders')[0] ?? doc.text('event.module'),
    detectorId: ruleId,
    productName: 'Wazuh',
    createdAt,
    firstActivityAt: doc.time('event.start') ?? doc.time('event.created'),
    techniques,
    evidence,
    raw: obj,
  });
  return { kind: 'alert', alert, source, sourceFormat: 'wazuh', tenantId: null, group };
}

/**
 * rule.level (0-15) -> severity, after the Wazuh dashboard's bands (low 0-6, medium 7-11, high
 * 12-14, critical 15), with levels 0-2 (ignored/system notifications) as informational.
 */
export function wazuhSeverity(level: number): string {
  if (level >= 15) return 'critical';
  if (level >= 12) return 'high';
  if (level >= 7) return 'medium';
  if (level >= 3) return 'low';
  return 'informational';
}
