import { ALERT_STATUS_VALUES, normaliseEnum, SEVERITY_VALUES } from '../model/enums.js';
import type { Comment, Entity, StatusChange } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { stableHash, type Where } from './fields.js';
import type { MappedRecord, RecordFormat } from './formats.js';
import { at, entity, makeAlert, techniqueIdsIn, text, texts, timeValue, whereOf } from './soc-fields.js';

/**
 * Splunk Enterprise Security notable events (findings), as a search exports them (`| table`/JSON
 * export lines `{"result": {...}}`, the REST results envelope `{"results": [...]}`, both unwrapped
 * in batches.ts) or as records of their own. Each is a standalone alert the grouping rule places.
 * Splunk gives every field as a string or, when multivalued, a list of strings; `_time` as epoch
 * seconds or ISO-8601 with an offset. ATT&CK from `annotations.mitre_attack` and
 * `annotations.mitre_attack.mitre_technique_id`, flattened or nested, or the `annotations` JSON text.
 */
export const SPLUNK_SOURCE = 'splunk-es';

export const splunkFormat: RecordFormat = {
  name: 'splunk',
  describe: 'Splunk ES notable events (_time, rule_name/search_name, urgency, status_label)',
  detect(obj) {
    if (!('_time' in obj)) return false;
    const named = 'rule_name' in obj || 'search_name' in obj || 'event_id' in obj;
    return named && ('urgency' in obj || 'status_label' in obj || 'security_domain' in obj || 'rule_title' in obj);
  },
  parse: (obj, where) => [notable(obj, where)],
};

/** ES status (number or label) -> alert status: 0 Unassigned and 1 New are new; 4 Resolved and 5 Closed are resolved; 3 Pending and custom labels kept. */
const STATUS_BY_ID: Record<string, string> = { '0': 'new', '1': 'new', '2': 'inProgress', '3': 'Pending', '4': 'resolved', '5': 'resolved' };

function statusOf(label: string | null, id: string | null): string {
  if (label) {
    if (/^closed$/i.test(label)) return 'resolved';
    if (/^unassigned$/i.test(label)) return 'new';
    return normaliseEnum(label, ALERT_STATUS_VALUES) ?? label;
  }
  return (id !== null && STATUS_BY_ID[id]) || 'new';
}

/** Technique IDs of the notable's annotations, wherever the export put them. */
function techniquesOf(obj: JsonObject, where: Where): string[] {
  const out: string[] = [];
  for (const path of ['annotations.mitre_attack', 'annotations.mitre_attack.mitre_technique_id']) {
    const value = at(obj, path);
    if (isRecord(value)) continue; // the nested object whose fields are read by the other path
    for (const v of texts(obj, path, where)) out.push(...techniqueIdsIn(v));
  }
  const annotations = obj.annotations;
  if (typeof annotations === 'string' && !annotations.trim().startsWith('{')) out.push(...techniqueIdsIn(annotations));
  else if (typeof annotations === 'string') {
    try {
      const parsed: unknown = JSON.parse(annotations);
      if (isRecord(parsed)) out.push(...techniqueIdsIn(JSON.stringify(parsed.mitre_attack ?? '')));
    } catch {
      // Annotations that are not JSON carry no IDs of their own beyond what the text shows.
      out.push(...techniqueIdsIn(annotations));
    }
  }
  return out;
}

/**
 * The search's time bounds (`info_min_time`/`info_max_time`): epoch seconds, or `0` and `+Infinity`
 * for an all-time search, which are no bound rather than bad input.
 */
function searchBound(value: unknown): string | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  return new Date(Math.round(n * 1000)).toISOString();
}

/** What Splunk writes for no value. */
const EMPTY = new Set(['unknown', 'unassigned', '-', 'n/a', 'null']);

function present(values: string[]): string[] {
  return values.filter((v) => !EMPTY.has(v.toLowerCase()));
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]+)$/i;

function hostOrIp(value: string, role: string, field: string): Entity {
  return IP.test(value) ? entity('ip', `splunk:${field}`, value, value, { [field]: value }, value, { roles: [role] }) : entity('device', `splunk:${field}`, value, value, { [field]: value }, value, { roles: [role] });
}

/**
 * Status history where the export has it: the incident review fields (`review_time`, `reviewer`,
 * `status_label`, `comment`) as the `notable` macro adds them, one value each, or lists of equal
 * length (one entry per review) when the search collected the incident_review history.
 */
function reviewHistory(obj: JsonObject, where: Where, createdAt: string): { changes: StatusChange[]; comments: Comment[] } {
  const times = texts(obj, 'review_time', where);
  if (times.length === 0) return { changes: [], comments: [] };
  const labels = texts(obj, 'status_label', where);
  const reviewers = texts(obj, 'reviewer_realname', where).length === times.length ? texts(obj, 'reviewer_realname', where) : texts(obj, 'reviewer', where);
  const comments = texts(obj, 'comment', where);
  const owners = texts(obj, 'owner', where);
  const entries = times.map((t, i) => ({
    at: timeValue(t, times.length > 1 ? whereOf(where, 'review_time').index(i) : whereOf(where, 'review_time'))!,
    status: labels.length === times.length ? statusOf(labels[i]!, null) : null,
    by: reviewers.length === times.length ? reviewers[i]! : null,
    owner: owners.length === times.length && owners.length > 1 ? owners[i]! : null,
    comment: comments.length === times.length ? comments[i]! : null,
  }));
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const changes: StatusChange[] = [{ field: 'status', from: null, to: 'new', at: createdAt, by: null, origin: 'source' }];
  let status = 'new';
  let owner: string | null = null;
  for (const e of entries) {
    if (e.status && e.status !== status) {
      changes.push({ field: 'status', from: status, to: e.status, at: e.at < createdAt ? createdAt : e.at, by: e.by, origin: 'source' });
      status = e.status;
    }
    if (e.owner && !EMPTY.has(e.owner.toLowerCase()) && e.owner !== owner) {
      changes.push({ field: 'assignedTo', from: owner, to: e.owner, at: e.at < createdAt ? createdAt : e.at, by: e.by, origin: 'source' });
      owner = e.owner;
    }
  }
  return { changes, comments: entries.filter((e) => e.comment).map((e) => ({ author: e.by, createdAt: e.at, text: e.comment! })) };
}

const SEVERITY_RANK = ['informational', 'low', 'medium', 'high', 'critical'];

/**
 * `urgency` (ES's own, from the rule's severity and the asset's priority); when ES could not set it
 * (`unknown`, or absent) the event's `severity`, a multivalue field when the correlation search
 * gathered several events (`["low", "high"]`): the highest of them, as Splunk SOAR reads it.
 */
function notableSeverity(urgency: string | null, eventSeverities: string[]): string {
  const given = urgency ? (normaliseEnum(urgency, SEVERITY_VALUES) ?? urgency) : null;
  if (given !== null && given !== 'unknown') return given;
  const ranked = eventSeverities.map((v) => normaliseEnum(v, SEVERITY_VALUES)).filter((v): v is string => v !== null && SEVERITY_RANK.includes(v));
  ranked.sort((a, b) => SEVERITY_RANK.indexOf(a) - SEVERITY_RANK.indexOf(b));
  return ranked.at(-1) ?? (eventSeverities.length === 1 ? eventSeverities[0]! : given) ?? 'unknown';
}

function notable(obj: JsonObject, where: Where): MappedRecord {
  const createdAt = timeValue(at(obj, '_time'), where.key('_time')) ?? where.key('_time').fail('required field "_time" is missing');
  const ruleName = text(obj, 'rule_name', where);
  const searchName = text(obj, 'search_name', where) ?? text(obj, 'source', where);
  const single = (name: string) => present(texts(obj, name, where)).at(-1) ?? null;
  const label = single('status_label');
  const statusId = typeof obj.status === 'string' || typeof obj.status === 'number' ? String(obj.status) : null;
  const status = statusOf(label, statusId);
  const sourceId = text(obj, 'event_id', where) ?? text(obj, 'rule_id', where) ?? `notable-${stableHash([createdAt, searchName, obj.src ?? null, obj.dest ?? null, obj.user ?? null])}`;
  const severity = notableSeverity(single('urgency'), texts(obj, 'severity', where));
  const owner = single('owner');
  const reviews = reviewHistory(obj, where, createdAt);
  const reviewed = reviews.changes.map((c) => c.at);
  const updatedAt = [createdAt, ...reviewed].sort().at(-1)!;
  const resolvedAt = status === 'resolved' ? (reviews.changes.filter((c) => c.field === 'status' && c.to === 'resolved').at(-1)?.at ?? updatedAt) : null;
  const evidence: Entity[] = [];
  const hosts: string[] = [];
  const users: string[] = [];
  for (const [field, role] of [['dest', 'destination'], ['src', 'source'], ['orig_host', 'reporter'], ['dvc', 'reporter']] as const) {
    for (const v of present(texts(obj, field, where))) {
      evidence.push(hostOrIp(v, role, field));
      hosts.push(v);
    }
  }
  for (const [field, role] of [['user', 'target'], ['src_user', 'source'], ['dest_user', 'destination']] as const) {
    for (const v of present(texts(obj, field, where))) {
      evidence.push(entity('user', `splunk:${field}`, v, v, { [field]: v }, v, { roles: [role] }));
      users.push(v);
    }
  }
  for (const v of present(texts(obj, 'url', where))) evidence.push(entity('url', 'splunk:url', v, v, { url: v }, v, { caseSensitive: true }));
  for (const v of present(texts(obj, 'file_hash', where))) evidence.push(entity('file', 'splunk:file_hash', v, text(obj, 'file_name', where) ?? v, { file_hash: v }, v));
  const comments = reviews.comments.length > 0 ? reviews.comments : present(texts(obj, 'comment', where)).map((c) => ({ author: single('reviewer'), createdAt: updatedAt, text: c }));
  const assignedTo = owner ? (single('owner_realname') ?? owner) : null;
  const alert = makeAlert({
    sourceId,
    title: text(obj, 'rule_title', where) ?? ruleName ?? searchName ?? `Notable ${sourceId}`,
    description: text(obj, 'rule_description', where) ?? text(obj, 'description', where),
    severity,
    status,
    category: text(obj, 'security_domain', where),
    serviceSource: 'Splunk Enterprise Security',
    detectionSource: searchName,
    detectorId: searchName ?? ruleName,
    productName: 'Splunk Enterprise Security',
    assignedTo,
    createdAt,
    updatedAt,
    firstActivityAt: searchBound(at(obj, 'info_min_time')),
    lastActivityAt: searchBound(at(obj, 'info_max_time')),
    resolvedAt,
    techniques: techniquesOf(obj, where),
    recommendedActions: text(obj, 'recommended_actions', where),
    evidence,
    comments,
    ...(reviews.changes.length > 0 ? { statusHistory: reviews.changes } : {}),
    raw: obj,
  });
  return { kind: 'alert', alert, source: SPLUNK_SOURCE, sourceFormat: 'splunk', tenantId: null, group: { hosts, users } };
}
