import { SEVERITY_VALUES } from '../model/enums.js';
import type { Comment, Incident, StatusChange } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { ELASTIC_SOURCE } from './elastic-alert.js';
import { describe, objectAt, optArray, optEnum, optString, optTime, prop, reqString, reqTime, stringArray, type Where } from './fields.js';
import { deriveHistory } from './history.js';

/** Cases API `status` to Hindsight's incident status. */
const CASE_STATUS: Record<string, string> = { open: 'active', 'in-progress': 'inProgress', closed: 'resolved' };

const caseStatus = (value: string | null): string | null => (value === null ? null : (CASE_STATUS[value.toLowerCase()] ?? value));

/**
 * Is this a Kibana Cases API case object? Its `owner` names the solution (`securitySolution`,
 * `cases`, `observability`), and only a case has `created_by` beside `settings`/`connector`/`totalComment`.
 */
export function isElasticCase(obj: JsonObject): boolean {
  return typeof obj.owner === 'string' && typeof obj.title === 'string' && 'created_at' in obj && isRecord(obj.created_by) && ('settings' in obj || 'connector' in obj || 'totalComment' in obj);
}

/**
 * One Elastic Security case as the Cases API returns it (`GET /api/cases/{id}`), with its comments
 * (`comments`, as `includeComments` or `_find comments` gives them) and its activity (`userActions`,
 * the `GET /api/cases/{id}/user_actions/_find` response's list, also read as `user_actions`; 8.x
 * `{type, action, payload, created_at, created_by}` or 7.x `{action_field, action, action_at,
 * action_by, new_value, old_value}`). The attached alerts are not part of the case object: their
 * alert documents join the case by `kibana.alert.case_ids` (see elastic.ts); the attachment itself is
 * kept on the timeline.
 */
export function parseElasticCase(obj: JsonObject, where: Where): Incident {
  const sourceId = reqString(obj, 'id', where);
  const createdAt = reqTime(obj, 'created_at', where);
  const updatedAt = optTime(obj, 'updated_at', where) ?? createdAt;
  const status = caseStatus(optString(obj, 'status', where)) ?? 'active';
  const resolvedAt = status === 'resolved' ? (optTime(obj, 'closed_at', where) ?? updatedAt) : null;
  const assignees = assigneeIds(obj, where);
  const assignedTo = assignees[0] ?? null;
  const comments = caseComments(obj, where, updatedAt);
  const actions = userActions(obj, where);
  const statusHistory =
    actions.length > 0
      ? historyFromActions(actions, createdAt)
      : deriveHistory({ kind: 'incident', status, createdAt, updatedAt, resolvedAt, assignedTo, classification: null, determination: null, comments });
  return {
    source: ELASTIC_SOURCE,
    sourceFormat: 'elastic',
    sourceId,
    tenantId: null,
    title: optString(obj, 'title', where) ?? `Case ${sourceId}`,
    description: optString(obj, 'description', where),
    summary: null,
    severity: optEnum(obj, 'severity', SEVERITY_VALUES, where) ?? 'unknown',
    status,
    classification: null,
    determination: null,
    assignedTo,
    createdAt,
    updatedAt,
    resolvedAt,
    tags: stringArray(obj, 'tags', where),
    webUrl: null,
    redirectIncidentId: null,
    alerts: [],
    comments,
    statusHistory,
    partial: false,
    raw: obj,
  };
}

/** `assignees: [{uid}]`: Kibana user profile ids. */
function assigneeIds(obj: JsonObject, where: Where): string[] {
  const { items, where: at } = optArray(obj, 'assignees', where);
  return items.map((a, i) => reqString(objectAt(a, at.index(i)), 'uid', at.index(i)));
}

/** A Cases API user (`created_by`, `updated_by`...): full name, else user name, e-mail, profile uid. */
function userName(obj: JsonObject, name: string, where: Where): string | null {
  const value = prop(obj, name).value;
  if (value === null || value === undefined) return null;
  const user = objectAt(value, where.key(name));
  const w = where.key(name);
  return optString(user, 'full_name', w) ?? optString(user, 'username', w) ?? optString(user, 'email', w) ?? optString(user, 'profile_uid', w);
}

/**
 * The case's comments as its timeline: user comments as written, alert attachments (`type: alert`,
 * `alertId`/`index` single or lists, `rule: {id, name}`) as a line naming the alerts and the rule,
 * response actions (`type: actions`) with the action and hosts, other attachment types by type.
 */
function caseComments(obj: JsonObject, where: Where, fallback: string): Comment[] {
  const { items, where: at } = optArray(obj, 'comments', where);
  return items.map((item, i) => {
    const w = at.index(i);
    const c = objectAt(item, w);
    const type = optString(c, 'type', w) ?? 'user';
    const author = userName(c, 'created_by', w);
    const createdAt = optTime(c, 'created_at', w) ?? fallback;
    if (type === 'alert') {
      const ids = listOrOne(c, 'alertId', w);
      const rule = isRecord(c.rule) ? optString(c.rule, 'name', w.key('rule')) : null;
      const indexes = dedupeList(listOrOne(c, 'index', w));
      return { author, createdAt, text: `Attached ${ids.length === 1 ? 'alert' : `${ids.length} alerts`} ${ids.join(', ')}${rule ? ` (rule: ${rule})` : ''}${indexes.length > 0 ? ` from ${indexes.join(', ')}` : ''}` };
    }
    if (type === 'actions') {
      const actions = isRecord(c.actions) ? c.actions : {};
      const targets = optArray(actions, 'targets', w.key('actions')).items.map((t) => (isRecord(t) && typeof t.hostname === 'string' ? t.hostname : null)).filter((h): h is string => h !== null);
      const action = optString(actions, 'type', w.key('actions')) ?? 'response action';
      const note = optString(c, 'comment', w);
      return { author, createdAt, text: `Response action ${action}${targets.length > 0 ? ` on ${targets.join(', ')}` : ''}${note ? `: ${note}` : ''}` };
    }
    const text = optString(c, 'comment', w);
    return { author, createdAt, text: text ?? `Attachment (${type})` };
  });
}

function listOrOne(obj: JsonObject, name: string, where: Where): string[] {
  const value = obj[name];
  if (Array.isArray(value)) return stringArray(obj, name, where);
  const one = optString(obj, name, where);
  return one === null ? [] : [one];
}

const dedupeList = (values: string[]) => [...new Set(values)];

interface UserAction {
  type: string;
  action: string;
  at: string;
  by: string | null;
  payload: JsonObject;
}

/** The case's user actions, 8.x or 7.x shape, oldest first. */
function userActions(obj: JsonObject, where: Where): UserAction[] {
  const key = 'userActions' in obj ? 'userActions' : 'user_actions';
  let list = obj[key];
  let at = where.key(key);
  // The whole _find response embedded: {page, per_page, total, userActions: [...]}.
  if (isRecord(list) && Array.isArray(list.userActions)) {
    list = list.userActions;
    at = at.key('userActions');
  }
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) return at.fail(`expected a list of user actions, got ${describe(list)}`);
  const out = list.map((item, i) => {
    const w = at.index(i);
    const a = objectAt(item, w);
    const action = reqString(a, 'action', w);
    if ('action_field' in a) {
      // 7.x: one action per changed field list; the new value is a JSON text or a plain value.
      const fields = stringArray(a, 'action_field', w);
      const next = optString(a, 'new_value', w);
      const payload: JsonObject = {};
      if (fields.length === 1 && next !== null) payload[fields[0]!] = jsonOrText(next);
      else if (next !== null && isRecord(jsonOrText(next))) Object.assign(payload, jsonOrText(next));
      const type = action === 'create' && fields.includes('title') ? 'create_case' : (fields[0] ?? 'unknown');
      return { type, action, at: reqTime(a, 'action_at', w), by: userName(a, 'action_by', w), payload };
    }
    const payload = prop(a, 'payload').value;
    return { type: reqString(a, 'type', w), action, at: reqTime(a, 'created_at', w), by: userName(a, 'created_by', w), payload: isRecord(payload) ? payload : {} };
  });
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Status, severity and assignment changes as the case's activity recorded them. */
function historyFromActions(actions: UserAction[], createdAt: string): StatusChange[] {
  const changes: StatusChange[] = [];
  let status: string | null = null;
  let severity: string | null = null;
  const change = (field: string, from: string | null, to: string | null, at: string, by: string | null) => changes.push({ field, from, to, at, by, origin: 'source' });
  for (const a of actions) {
    const p = a.payload;
    const nextStatus = typeof p.status === 'string' ? caseStatus(p.status) : null;
    const nextSeverity = typeof p.severity === 'string' ? p.severity.toLowerCase() : null;
    if (a.type === 'create_case') {
      status = nextStatus ?? 'active';
      change('status', null, status, a.at, a.by);
      if (nextSeverity) change('severity', null, (severity = nextSeverity), a.at, a.by);
    } else if (a.type === 'status' && nextStatus && nextStatus !== status) {
      change('status', status, nextStatus, a.at, a.by);
      status = nextStatus;
    } else if (a.type === 'severity' && nextSeverity && nextSeverity !== severity) {
      change('severity', severity, nextSeverity, a.at, a.by);
      severity = nextSeverity;
    } else if (a.type === 'assignees' && Array.isArray(p.assignees)) {
      for (const who of p.assignees) {
        if (!isRecord(who) || typeof who.uid !== 'string') continue;
        change('assignedTo', a.action === 'delete' ? who.uid : null, a.action === 'delete' ? null : who.uid, a.at, a.by);
      }
    }
  }
  if (!changes.some((c) => c.field === 'status' && c.from === null)) changes.unshift({ field: 'status', from: null, to: 'active', at: createdAt, by: null, origin: 'source' });
  return changes;
}
