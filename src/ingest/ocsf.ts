import { ALERT_STATUS_VALUES, INCIDENT_STATUS_VALUES, normaliseEnum } from '../model/enums.js';
import type { Alert, Comment, Entity, Incident } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import type { Where } from './fields.js';
import type { MappedRecord, RecordFormat } from './formats.js';
import { highestSeverity, incidentResolvedAt } from './graph.js';
import { deriveHistory } from './history.js';
import { deviceEntity, endpointEntities, evidenceEntities, observableEntity, resourceEntity, userEntity } from './ocsf-entities.js';
import { at, list, makeAlert, object, techniqueIdsIn, text, texts, timeAt, whereOf } from './soc-fields.js';
import { stableHash } from './fields.js';

/**
 * OCSF (1.1 to the current schema), the Findings category: Detection Finding (class_uid 2004) is a
 * standalone alert the grouping rule places; Incident Finding (2005) is an incident whose alerts are
 * the findings its `finding_info_list` references (a Detection Finding of the same uid in the same
 * batch brings its full content). Times: epoch ms as OCSF says, epoch seconds, and `*_dt` strings.
 */
export const OCSF_SOURCE = 'ocsf';
const DETECTION_FINDING = 2004;
const INCIDENT_FINDING = 2005;
/**
 * OCSF 1.0's Security Finding (deprecated since 1.1, still what Security Hub and Security Lake's
 * first release emit): a finding like a Detection Finding, its details under `finding` (the object
 * 1.1 renamed `finding_info`) and its workflow in `state_id` (1 New, 2 In Progress, 3 Suppressed,
 * 4 Resolved), since 1.0's `status_id` is the event's outcome. Read as a detection alert too.
 */
const SECURITY_FINDING = 2001;

function classOf(obj: JsonObject): number | undefined {
  const c = obj.class_uid;
  const n = typeof c === 'number' ? c : typeof c === 'string' && /^\d+$/.test(c) ? Number(c) : undefined;
  if (n !== undefined) return n;
  const t = obj.type_uid;
  const typeUid = typeof t === 'number' ? t : typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : undefined;
  return typeUid === undefined ? undefined : Math.floor(typeUid / 100);
}

export const ocsfFormat: RecordFormat = {
  name: 'ocsf',
  describe: 'OCSF Detection Finding or Incident Finding (class_uid 2004/2005; 1.0 Security Finding 2001)',
  detect(obj) {
    const c = classOf(obj);
    if (c === SECURITY_FINDING) return isRecord(obj.finding) || isRecord(obj.finding_info);
    return (c === DETECTION_FINDING || c === INCIDENT_FINDING) && ('finding_info' in obj || 'finding_info_list' in obj || 'metadata' in obj);
  },
  parse(obj, where): MappedRecord[] {
    const c = classOf(obj);
    if (c === DETECTION_FINDING || c === SECURITY_FINDING) return [detectionFinding(obj, where)];
    if (c === INCIDENT_FINDING) return [{ kind: 'incident', incident: incidentFinding(obj, where) }];
    return where.key('class_uid').fail(`expected an OCSF Detection Finding (class_uid 2004) or Incident Finding (2005), got ${c === undefined ? 'no class_uid' : `class_uid ${c}`}`);
  },
};

/** OCSF severity_id -> Hindsight severity (Fatal counts as critical; Other keeps the producer's label). */
const SEVERITY: Record<number, string> = { 0: 'unknown', 1: 'informational', 2: 'low', 3: 'medium', 4: 'high', 5: 'critical', 6: 'critical' };

function severityOf(obj: JsonObject, where: Where): string {
  const id = text(obj, 'severity_id', where);
  const mapped = id === null ? undefined : SEVERITY[Number(id)];
  if (mapped) return mapped;
  const label = text(obj, 'severity', where);
  return label ? (normaliseEnum(label === 'Fatal' ? 'critical' : label, ['informational', 'low', 'medium', 'high', 'critical', 'unknown']) ?? 'unknown') : 'unknown';
}

/** Finding status_id: 1 New, 2 In Progress, 3 Suppressed, 4 Resolved, 5 Archived, 6 Deleted (labels kept as given beyond the model's). */
const FINDING_STATUS: Record<number, string> = { 0: 'unknown', 1: 'new', 2: 'inProgress', 3: 'Suppressed', 4: 'resolved', 5: 'Archived', 6: 'Deleted' };
/** Incident Finding status_id: 1 New (an open incident: `active`), 2 In Progress, 3 On Hold, 4 Resolved, 5 Closed (counts as resolved). */
const INCIDENT_STATUS: Record<number, string> = { 1: 'active', 2: 'inProgress', 3: 'On Hold', 4: 'resolved', 5: 'resolved' };

function statusOf(obj: JsonObject, where: Where, table: Record<number, string>, known: readonly string[], fallback: string): string {
  const id = text(obj, 'status_id', where);
  const label = text(obj, 'status', where);
  if (id !== null && Number(id) !== 99 && table[Number(id)]) return table[Number(id)]!;
  if (label) return normaliseEnum(label, known) ?? label;
  // A Close activity without a status closes the finding.
  return Number(text(obj, 'activity_id', where)) === 3 ? 'resolved' : fallback;
}

/** A 1.0 Security Finding's `state_id`/`state` as a finding status, or null when it has neither. */
function legacyState(obj: JsonObject, where: Where): string | null {
  const id = text(obj, 'state_id', where);
  if (id !== null && Number(id) !== 99 && FINDING_STATUS[Number(id)]) return FINDING_STATUS[Number(id)]!;
  const label = text(obj, 'state', where);
  return label ? (normaliseEnum(label, ALERT_STATUS_VALUES) ?? label) : null;
}

/** verdict_id -> classification: False/True Positive as the model spells them; Benign is expected activity; other verdicts kept as labelled. */
function classificationOf(obj: JsonObject, where: Where): string | null {
  const id = Number(text(obj, 'verdict_id', where) ?? NaN);
  if (id === 1) return 'falsePositive';
  if (id === 2) return 'truePositive';
  if (id === 5) return 'informationalExpectedActivity';
  if (id === 0) return null;
  return text(obj, 'verdict', where);
}

/** Technique IDs of `attacks[]` objects: the sub-technique where given, else the technique (1.1 producers put sub-technique IDs in technique.uid). */
function attackTechniques(obj: JsonObject, path: string, where: Where): string[] {
  const { items, where: w } = list(obj, path, where);
  const out: string[] = [];
  items.forEach((a, i) => {
    if (!isRecord(a)) return w.index(i).fail('expected an ATT&CK object');
    const sub = text(a, 'sub_technique.uid', w.index(i));
    const tech = text(a, 'technique.uid', w.index(i));
    if (sub) out.push(sub.toUpperCase());
    else if (tech) out.push(tech.toUpperCase());
  });
  return out;
}

/** Technique IDs a producer wrote into `unmapped` compliance (or mitre/attack) fields. */
function unmappedTechniques(obj: JsonObject): string[] {
  const unmapped = obj.unmapped;
  if (!isRecord(unmapped)) return [];
  const out: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string' && /compliance|mitre|att&?ck|technique|ttp/i.test(path)) out.push(...techniqueIdsIn(v));
    else if (Array.isArray(v)) v.forEach((x) => walk(x, path));
    else if (isRecord(v)) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(unmapped, 'unmapped');
  return out;
}

function commentsOf(obj: JsonObject, where: Where, fallback: string): Comment[] {
  const out: Comment[] = [];
  const { items, where: w } = list(obj, 'notes', where);
  items.forEach((n, i) => {
    if (!isRecord(n)) return;
    const body = text(n, 'comment', w.index(i)) ?? text(n, 'title', w.index(i));
    if (body) out.push({ author: text(n, 'owner.name', w.index(i)) ?? text(n, 'owner.email_addr', w.index(i)), createdAt: timeAt(n, 'created_time', w.index(i)) ?? fallback, text: body });
  });
  const comment = text(obj, 'comment', where);
  if (comment) out.push({ author: null, createdAt: fallback, text: comment });
  return out;
}

/** The alert of one finding_info (with the event's own fields when the event is a Detection Finding). */
function findingAlert(info: JsonObject, infoWhere: Where, event: JsonObject | null, where: Where, fallbackTime: string): Alert {
  const sourceId = text(info, 'uid', infoWhere) ?? infoWhere.key('uid').fail('required field "uid" is missing');
  const e = event ?? {};
  const eventTime = event ? timeAt(e, 'time', where) : null;
  const createdAt = timeAt(info, 'created_time', infoWhere) ?? eventTime ?? fallbackTime;
  const updatedAt = timeAt(info, 'modified_time', infoWhere) ?? eventTime ?? createdAt;
  const status = event ? (classOf(e) === SECURITY_FINDING ? legacyState(e, where) : null) ?? statusOf(e, where, FINDING_STATUS, ALERT_STATUS_VALUES, 'new') : 'unknown';
  const evidence: Entity[] = [];
  if (event) {
    const device = object(e, 'device', where);
    if (device) pushAll(evidence, deviceEntity(device, where.key('device')));
    const user = object(e, 'actor.user', where);
    if (user) pushAll(evidence, userEntity(user, whereOf(where, 'actor.user'), ['actor']));
    const src = object(e, 'src_endpoint', where);
    if (src) evidence.push(...endpointEntities(src, where.key('src_endpoint'), 'source'));
    const dst = object(e, 'dst_endpoint', where);
    if (dst) evidence.push(...endpointEntities(dst, where.key('dst_endpoint'), 'destination'));
    for (const [path, read] of [
      ['evidences', evidenceEntities],
      ['observables', (o: JsonObject, w: Where) => [observableEntity(o, w)]],
      ['resources', (o: JsonObject, w: Where) => [resourceEntity(o, w)]],
    ] as const) {
      const { items, where: w } = list(e, path, where);
      items.forEach((item, i) => {
        if (!isRecord(item)) return w.index(i).fail(`expected an object, got ${typeof item}`);
        for (const x of read(item, w.index(i))) pushAll(evidence, x);
      });
    }
  }
  const analytic = object(info, 'analytic', infoWhere);
  const comments = event ? commentsOf(e, where, updatedAt) : [];
  const techniques = [...attackTechniques(info, 'attacks', infoWhere), ...(event ? attackTechniques(e, 'attacks', where) : []), ...(event ? unmappedTechniques(e) : [])];
  return makeAlert({
    sourceId,
    title: text(info, 'title', infoWhere) ?? (event ? text(e, 'message', where) : null) ?? `Finding ${sourceId}`,
    description: text(info, 'desc', infoWhere) ?? (event ? text(e, 'message', where) : null),
    severity: event ? severityOf(e, where) : 'unknown',
    status,
    classification: event ? classificationOf(e, where) : null,
    category: texts(info, 'types', infoWhere)[0] ?? (analytic ? text(analytic, 'category', infoWhere.key('analytic')) : null),
    detectorId: analytic ? (text(analytic, 'uid', infoWhere.key('analytic')) ?? text(analytic, 'name', infoWhere.key('analytic'))) : null,
    serviceSource: analytic ? text(analytic, 'name', infoWhere.key('analytic')) : null,
    productName: event ? text(e, 'metadata.product.name', where) : text(info, 'product.name', infoWhere),
    detectionSource: event ? text(e, 'metadata.product.vendor_name', where) : null,
    actorDisplayName: event ? text(e, 'actor.user.name', where) : null,
    createdAt,
    updatedAt,
    firstActivityAt: timeAt(info, 'first_seen_time', infoWhere) ?? (event ? timeAt(e, 'start_time', where) : null),
    lastActivityAt: timeAt(info, 'last_seen_time', infoWhere) ?? (event ? timeAt(e, 'end_time', where) : null),
    resolvedAt: status === 'resolved' ? updatedAt : null,
    techniques,
    recommendedActions: event ? (text(e, 'remediation.desc', where) ?? text(info, 'remediation.desc', infoWhere)) : null,
    webUrl: text(info, 'src_url', infoWhere),
    evidence,
    comments,
    raw: event ?? info,
  });
}

function pushAll(out: Entity[], e: Entity | null): void {
  if (e) out.push(e);
}

function detectionFinding(obj: JsonObject, where: Where): MappedRecord {
  const key = classOf(obj) === SECURITY_FINDING && obj.finding_info === undefined ? 'finding' : 'finding_info';
  const info = object(obj, key, where) ?? where.key(key).fail(`required field "${key}" is missing`);
  // `time` is required by OCSF, yet some producers (Prowler's OCSF output) write only `event_time`
  // and the finding's `created_time`: the finding's own time stands in before any other.
  const time =
    timeAt(obj, 'time', where) ?? timeAt(info, 'created_time', where.key(key)) ?? timeAt(obj, 'event_time', where) ?? where.key('time').fail('required field "time" is missing');
  const alert = findingAlert(info, where.key(key), obj, where, time);
  const hosts = [text(obj, 'device.hostname', where) ?? text(obj, 'device.name', where), text(obj, 'dst_endpoint.hostname', where), text(obj, 'dst_endpoint.ip', where)].filter((x): x is string => x !== null);
  const users = [text(obj, 'actor.user.email_addr', where) ?? text(obj, 'actor.user.name', where)].filter((x): x is string => x !== null);
  return { kind: 'alert', alert, source: OCSF_SOURCE, sourceFormat: 'ocsf', tenantId: text(obj, 'metadata.tenant_uid', where), group: { hosts, users } };
}

/**
 * The incident's identity across its Create/Update/Close events: metadata.correlation_uid, else the
 * ticket's uid, else src_url, else a hash of the findings it references.
 */
function incidentId(obj: JsonObject, where: Where, findingUids: string[]): string {
  return (
    text(obj, 'metadata.correlation_uid', where) ??
    text(obj, 'ticket.uid', where) ??
    (list(obj, 'tickets', where).items.filter(isRecord).map((t) => (typeof t.uid === 'string' ? t.uid : null)).find((u) => u) ?? null) ??
    text(obj, 'src_url', where) ??
    `findings-${stableHash([...findingUids].sort())}`
  );
}

function incidentFinding(obj: JsonObject, where: Where): Incident {
  const time = timeAt(obj, 'time', where) ?? where.key('time').fail('required field "time" is missing');
  const { items, where: lw } = list(obj, 'finding_info_list', where);
  if (at(obj, 'finding_info_list') === undefined) return where.key('finding_info_list').fail('required field "finding_info_list" is missing');
  const alerts = items.map((info, i) => {
    if (!isRecord(info)) return lw.index(i).fail('expected a finding_info object');
    return findingAlert(info, lw.index(i), null, where, time);
  });
  const incidentTechniques = [...attackTechniques(obj, 'attacks', where), ...unmappedTechniques(obj)];
  // The incident's own ATT&CK labels go on its findings (the model keeps techniques per alert).
  if (incidentTechniques.length > 0) for (const a of alerts) a.techniques = [...new Set([...a.techniques, ...incidentTechniques])];
  const createdAt = time;
  const updatedAt = timeAt(obj, 'metadata.modified_time', where) ?? timeAt(obj, 'end_time', where) ?? createdAt;
  const status = statusOf(obj, where, INCIDENT_STATUS, INCIDENT_STATUS_VALUES, 'active');
  const assignedTo = text(obj, 'assignee.email_addr', where) ?? text(obj, 'assignee.name', where) ?? text(obj, 'assignee_group.name', where);
  const classification = classificationOf(obj, where);
  const resolvedAt = status === 'resolved' ? incidentResolvedAt(alerts, createdAt, updatedAt < createdAt ? createdAt : updatedAt) : null;
  const comments = commentsOf(obj, where, updatedAt);
  const severity = severityOf(obj, where);
  const sourceId = incidentId(obj, where, alerts.map((a) => a.sourceId));
  const priority = text(obj, 'priority', where);
  return {
    source: OCSF_SOURCE,
    sourceFormat: 'ocsf',
    sourceId,
    tenantId: text(obj, 'metadata.tenant_uid', where),
    title: text(obj, 'desc', where) ?? alerts[0]?.title ?? `Incident ${sourceId}`,
    description: text(obj, 'message', where),
    summary: null,
    severity: severity === 'unknown' ? highestSeverity(alerts) : severity,
    status,
    classification,
    determination: null,
    assignedTo,
    createdAt,
    updatedAt: updatedAt < createdAt ? createdAt : updatedAt,
    resolvedAt,
    tags: [...(priority ? [`priority:${priority}`] : []), ...(at(obj, 'is_suspected_breach') === true ? ['suspected-breach'] : [])],
    webUrl: text(obj, 'src_url', where) ?? text(obj, 'ticket.src_url', where),
    redirectIncidentId: null,
    alerts,
    comments,
    statusHistory: deriveHistory({ kind: 'incident', status, createdAt, updatedAt: updatedAt < createdAt ? createdAt : updatedAt, resolvedAt, assignedTo, classification, determination: null, comments }),
    partial: false,
    raw: obj,
  };
}
