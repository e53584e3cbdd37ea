import type { Comment, Entity, EntityKind } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { dateValue } from './elastic-doc.js';
import { dedupe, describe, objectAt, optArray, optString, prop, stableHash, stringArray, type Where } from './fields.js';
import { flattenAttributes } from './graph-evidence.js';

/** The product family of TheHive records (cases and alerts alike). */
export const THEHIVE_SOURCE = 'thehive';

/** A record's id: `_id` (v1 API, `~4264`; TheHive 4 v0 also has it) else v0's `id`. */
export function theHiveId(obj: JsonObject, where: Where): string {
  const id = optString(obj, '_id', where) ?? optString(obj, 'id', where);
  return id ?? where.key('_id').fail('required field "_id" is missing');
}

/**
 * A TheHive date: epoch milliseconds (a number, as every v1 and v0 date is), digits, or an ISO-8601
 * text (as hand-written exports carry). Booleans, objects and out-of-range values are refused.
 */
export function theHiveTime(obj: JsonObject, name: string, where: Where): string | null {
  const { value, name: key } = prop(obj, name);
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'string') return where.key(key).fail(`expected a date in epoch milliseconds, got ${describe(value)}`);
  const time = dateValue(value);
  if (time === null) return where.key(key).fail(`not a valid date: ${describe(value)}`);
  return time;
}

/** The first of TheHive's spellings of a time (`_createdAt` in v1, `createdAt` in v0) that is set. */
export function theHiveTimeOf(obj: JsonObject, names: string[], where: Where): string | null {
  for (const n of names) {
    const t = theHiveTime(obj, n, where);
    if (t !== null) return t;
  }
  return null;
}

/** TheHive's documented severity scale: 1 low, 2 medium, 3 high, 4 critical. */
const SEVERITY_BY_CODE: Record<number, string> = { 1: 'low', 2: 'medium', 3: 'high', 4: 'critical' };
const SEVERITY_BY_LABEL: Record<string, string> = { low: 'low', medium: 'medium', high: 'high', critical: 'critical' };

/**
 * `severity` (an integer 1-4) to a severity; without one, v1's `severityLabel` (`LOW`...`CRITICAL`).
 * A severity of any other type or value is refused: TheHive never writes one.
 */
export function theHiveSeverity(obj: JsonObject, where: Where): string {
  const { value, name } = prop(obj, 'severity');
  if (value !== null && value !== undefined) {
    const code = typeof value === 'bigint' ? Number(value) : value;
    if (typeof code !== 'number' || !Number.isInteger(code)) return where.key(name).fail(`expected a severity code 1-4, got ${describe(value)}`);
    return SEVERITY_BY_CODE[code] ?? where.key(name).fail(`expected a severity code 1-4, got ${code}`);
  }
  const label = optString(obj, 'severityLabel', where);
  if (label === null) return 'unknown';
  return SEVERITY_BY_LABEL[label.toLowerCase()] ?? where.key('severityLabel').fail(`unknown severity label ${JSON.stringify(label)} (expected LOW, MEDIUM, HIGH or CRITICAL)`);
}

/** TheHive 5 closing statuses (and TheHive 4's `resolutionStatus` values) to a classification; others kept as given. */
const CLOSING_STATUS: Record<string, string> = { truepositive: 'truePositive', falsepositive: 'falsePositive' };
const CLOSED = new Set(['truepositive', 'falsepositive', 'indeterminate', 'other', 'duplicated', 'resolved', 'ignored', 'closed']);

export function classificationOf(value: string | null): string | null {
  if (value === null) return null;
  const folded = value.toLowerCase();
  if (folded === 'resolved' || folded === 'ignored' || folded === 'closed') return null;
  return CLOSING_STATUS[folded] ?? value;
}

export const isClosedStatus = (value: string | null): boolean => value !== null && CLOSED.has(value.toLowerCase());

/** Observable `dataType` (TheHive's defaults, plus common custom types) to an entity kind. */
const KIND_BY_DATA_TYPE: Record<string, EntityKind> = {
  ip: 'ip',
  domain: 'dns',
  fqdn: 'dns',
  hostname: 'device',
  url: 'url',
  uri_path: 'url',
  mail: 'mailbox',
  'mail-subject': 'mailMessage',
  mail_subject: 'mailMessage',
  hash: 'file',
  file: 'file',
  filename: 'file',
  registry: 'registryKey',
  username: 'user',
  user: 'user',
  'user-account': 'user',
  account: 'user',
};

/**
 * One observable (v1 `observables`, TheHive 4 v0 alerts' `artifacts`) as an entity: kind by
 * `dataType`, identity the lower-cased `data` (a file attachment by its first hash, else its name;
 * URLs as written), `ioc: true` as verdict `malicious`, `sighted` and tags kept in the attributes.
 */
export function mapObservable(value: unknown, where: Where): Entity {
  const obj = objectAt(value, where);
  const dataType = optString(obj, 'dataType', where) ?? where.key('dataType').fail('required field "dataType" is missing');
  const type = dataType.toLowerCase();
  const kind = KIND_BY_DATA_TYPE[type] ?? 'other';
  const attachment = isRecord(obj.attachment) ? obj.attachment : null;
  const data = optString(obj, 'data', where);
  const attachmentName = attachment ? optString(attachment, 'name', where.key('attachment')) : null;
  const attachmentHash = attachment ? stringArray(attachment, 'hashes', where.key('attachment'))[0] ?? null : null;
  const text = data ?? attachmentHash ?? attachmentName;
  const ioc = flag(obj, 'ioc', where);
  const sighted = flag(obj, 'sighted', where);
  const tags = stringArray(obj, 'tags', where);
  const attributes = flattenAttributes(obj, new Set(['_id', '_type', '_createdBy', '_updatedBy', '_createdAt', '_updatedAt', 'extraData', 'reports', 'attachment', 'tags']));
  if (tags.length > 0) attributes.tags = tags.join(', ');
  if (attachmentName) attributes['attachment.name'] = attachmentName;
  const sightedAt = theHiveTime(obj, 'sightedAt', where);
  if (sightedAt) attributes.sightedAt = sightedAt;
  const key = text === null ? `${type}:${stableHash(obj)}` : kind === 'url' ? text : kind === 'other' || kind === 'mailMessage' ? `${type}:${text.toLowerCase()}` : text.toLowerCase();
  return {
    kind,
    sourceType: dataType,
    key,
    displayName: attachmentName ?? text ?? key,
    roles: dedupe([...(ioc ? ['ioc'] : []), ...(sighted ? ['sighted'] : [])]),
    verdict: ioc ? 'malicious' : null,
    remediationStatus: null,
    createdAt: theHiveTime(obj, '_createdAt', where) ?? theHiveTime(obj, 'createdAt', where),
    attributes,
    raw: obj,
  };
}

function flag(obj: JsonObject, name: string, where: Where): boolean {
  const value = obj[name];
  if (value === null || value === undefined) return false;
  if (typeof value !== 'boolean') return where.key(name).fail(`expected true or false, got ${describe(value)}`);
  return value;
}

/** Observables of a record: `observables` (v1), else `artifacts` (TheHive 4 v0). */
export function observablesOf(obj: JsonObject, where: Where): Entity[] {
  const key = obj.observables !== undefined && obj.observables !== null ? 'observables' : 'artifacts';
  const { items, where: at } = optArray(obj, key, where);
  const out: Entity[] = [];
  items.forEach((item, i) => {
    const entity = mapObservable(item, at.index(i));
    if (!out.some((e) => e.kind === entity.kind && e.key === entity.key)) out.push(entity);
  });
  return out;
}

/**
 * TTPs of a record: `procedures` (v1 output; `ttps` also read) with `patternId` (`T1566.001`;
 * thehive4py's typed output spells it `patterId`), `tactic` and `occurDate`. Technique IDs upper-cased.
 */
export function proceduresOf(obj: JsonObject, where: Where): { techniques: string[]; tactics: string[]; firstOccurred: string | null } {
  const key = obj.procedures !== undefined && obj.procedures !== null ? 'procedures' : 'ttps';
  const { items, where: at } = optArray(obj, key, where);
  const techniques: string[] = [];
  const tactics: string[] = [];
  let firstOccurred: string | null = null;
  items.forEach((item, i) => {
    const w = at.index(i);
    const p = objectAt(item, w);
    const pattern = optString(p, 'patternId', w) ?? optString(p, 'patterId', w);
    if (pattern === null) return w.key('patternId').fail('required field "patternId" is missing');
    if (!/^T\d{4}(\.\d{3})?$/i.test(pattern.trim())) return w.key('patternId').fail(`expected an ATT&CK technique ID like T1566.001, got ${JSON.stringify(pattern)}`);
    techniques.push(pattern.trim().toUpperCase());
    const tactic = optString(p, 'tacticLabel', w) ?? optString(p, 'tactic', w);
    if (tactic) tactics.push(tactic);
    const occurred = theHiveTime(p, 'occurDate', w);
    if (occurred && (firstOccurred === null || occurred < firstOccurred)) firstOccurred = occurred;
  });
  return { techniques: dedupe(techniques), tactics: dedupe(tactics), firstOccurred };
}

/** Case comments (v1 `{createdBy, createdAt, message}`; `_createdBy`/`_createdAt` also read). */
export function theHiveComments(obj: JsonObject, where: Where, fallback: string): Comment[] {
  const { items, where: at } = optArray(obj, 'comments', where);
  return items.map((item, i) => {
    const w = at.index(i);
    const c = objectAt(item, w);
    return {
      author: optString(c, 'createdBy', w) ?? optString(c, '_createdBy', w),
      createdAt: theHiveTimeOf(c, ['createdAt', '_createdAt'], w) ?? fallback,
      text: optString(c, 'message', w) ?? '',
    };
  });
}

/**
 * Tasks and their logs as timeline entries: a task's start and end (`startDate`, `endDate` with
 * its status) and each log (`logs`, also `taskLogs`: `{message, date, owner}`), prefixed by the task's title.
 */
export function taskTimeline(obj: JsonObject, where: Where, fallback: string): Comment[] {
  const { items, where: at } = optArray(obj, 'tasks', where);
  const out: Comment[] = [];
  items.forEach((item, i) => {
    const w = at.index(i);
    const t = objectAt(item, w);
    const title = optString(t, 'title', w) ?? `Task ${i + 1}`;
    const group = optString(t, 'group', w);
    const label = group && group !== 'default' ? `${group}: ${title}` : title;
    const assignee = optString(t, 'assignee', w) ?? optString(t, 'owner', w);
    const started = theHiveTime(t, 'startDate', w);
    if (started) out.push({ author: assignee, createdAt: started, text: `Task started: ${label}` });
    const logKey = t.logs !== undefined && t.logs !== null ? 'logs' : 'taskLogs';
    const logs = optArray(t, logKey, w);
    logs.items.forEach((log, j) => {
      const lw = logs.where.index(j);
      const l = objectAt(log, lw);
      out.push({
        author: optString(l, 'owner', lw) ?? optString(l, '_createdBy', lw) ?? optString(l, 'createdBy', lw),
        createdAt: theHiveTimeOf(l, ['date', 'startDate', '_createdAt', 'createdAt'], lw) ?? started ?? fallback,
        text: `[${label}] ${optString(l, 'message', lw) ?? ''}`,
      });
    });
    const ended = theHiveTime(t, 'endDate', w);
    if (ended) out.push({ author: assignee, createdAt: ended, text: `Task ${(optString(t, 'status', w) ?? 'Completed').toLowerCase()}: ${label}` });
  });
  return out;
}

/** Hosts and users named by observables, for grouping standalone alerts. */
export function theHiveGroupHints(entities: Entity[]): { hosts: string[]; users: string[] } {
  return {
    hosts: entities.filter((e) => e.kind === 'device' || (e.kind === 'dns' && e.sourceType.toLowerCase() === 'fqdn')).map((e) => e.displayName),
    users: entities.filter((e) => e.kind === 'user').map((e) => e.displayName),
  };
}

export const byTime = <T extends { createdAt: string }>(a: T, b: T) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0);
