import type { Alert, Entity, EntityKind } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { deriveHistory } from './history.js';
import { describe, parseTime, stableHash, type Where } from './fields.js';

/**
 * Readers shared by the mappers of the non-Microsoft sources (OCSF, Wazuh, Splunk): dotted paths
 * that may be nested or flattened, times in any of the forms these sources use, entities, and a
 * complete Alert from the fields a source has.
 */

/**
 * The value at a dotted path, whether the source nests it (`{"rule": {"mitre": {"id": ...}}}`),
 * flattens it (`{"rule.mitre.id": ...}`) or mixes both (`{"annotations": {"mitre_attack.mitre_technique_id": ...}}`).
 */
export function at(obj: JsonObject, path: string): unknown {
  if (path in obj) return obj[path];
  let dot = path.indexOf('.');
  while (dot > 0) {
    const head = path.slice(0, dot);
    const next = obj[head];
    if (isRecord(next)) {
      const found = at(next, path.slice(dot + 1));
      if (found !== undefined) return found;
    }
    dot = path.indexOf('.', dot + 1);
  }
  return undefined;
}

/** The Where of a dotted path (each step a key). */
export function whereOf(where: Where, path: string): Where {
  return path.split('.').reduce((w, k) => w.key(k), where);
}

/** A scalar at a path as text (numbers and booleans too); blank -> null; an object or array is an error. */
export function text(obj: JsonObject, path: string, where: Where): string | null {
  const value = at(obj, path);
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return whereOf(where, path).fail(`expected a string, got ${describe(value)}`);
}

/** A value that may be one string or a list of them (Splunk multivalue fields, Wazuh lists): its strings. */
export function texts(obj: JsonObject, path: string, where: Where): string[] {
  const value = at(obj, path);
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  list.forEach((v, i) => {
    if (v === null || v === undefined) return;
    if (typeof v !== 'string' && typeof v !== 'number') (Array.isArray(value) ? whereOf(where, path).index(i) : whereOf(where, path)).fail(`expected a string, got ${describe(v)}`);
    const s = String(v).trim();
    if (s !== '') out.push(s);
  });
  return out;
}

/** An object at a path, or null; anything else is an error. */
export function object(obj: JsonObject, path: string, where: Where): JsonObject | null {
  const value = at(obj, path);
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) return whereOf(where, path).fail(`expected an object, got ${describe(value)}`);
  return value;
}

/** An array at a path (a single object counts as a list of one), or []. */
export function list(obj: JsonObject, path: string, where: Where): { items: unknown[]; where: Where } {
  const value = at(obj, path);
  const w = whereOf(where, path);
  if (value === null || value === undefined) return { items: [], where: w };
  if (!Array.isArray(value)) return w.fail(`expected an array, got ${describe(value)}`);
  return { items: value, where: w };
}

/** Epoch values below this are seconds (as milliseconds they would fall before March 1973). */
const SECONDS_BELOW = 1e11;

/**
 * A time in any form the sources use, to UTC ISO-8601: epoch milliseconds (OCSF's rule), epoch
 * seconds (with or without a fraction), microseconds or nanoseconds (told apart by magnitude), digit
 * strings of those, and ISO-8601 strings with or without an offset (`Z`, `+02:00`, `-0300`; none = UTC).
 * Zero and negative epochs are refused: they are "not set", not 1970.
 */
export function timeValue(value: unknown, where: Where): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return epochTime(Number(value), where);
  if (typeof value === 'number') return epochTime(value, where);
  if (typeof value !== 'string') return where.fail(`expected a time, got ${describe(value)}`);
  const parsed = parseTime(value);
  if (parsed === null) return where.fail(`not a valid date-time: ${JSON.stringify(value)}`);
  return parsed;
}

function epochTime(n: number, where: Where): string {
  if (!Number.isFinite(n) || n <= 0) return where.fail(`not a valid epoch time: ${n}`);
  const ms = n < SECONDS_BELOW ? n * 1000 : n < 1e14 ? n : n < 1e17 ? n / 1000 : n / 1e6;
  const date = new Date(Math.round(ms));
  if (Number.isNaN(date.getTime())) return where.fail(`not a valid epoch time: ${n}`);
  return date.toISOString();
}

/** The time at a path: the `*_dt` string sibling when the epoch field is absent (OCSF's datetime profile). */
export function timeAt(obj: JsonObject, path: string, where: Where): string | null {
  const value = at(obj, path);
  if (value !== undefined && value !== null && value !== '') return timeValue(value, whereOf(where, path));
  const dt = at(obj, `${path}_dt`);
  return timeValue(dt, whereOf(where, `${path}_dt`));
}

const TECHNIQUE_IN_TEXT = /\bT\d{4}(?:\.\d{3})?\b/g;

/** ATT&CK technique IDs written anywhere in a text (`T1059.001`), in order, upper-cased. */
export function techniqueIdsIn(value: string): string[] {
  return [...value.toUpperCase().matchAll(TECHNIQUE_IN_TEXT)].map((m) => m[0]);
}

export type Attributes = Entity['attributes'];

/** Scalars of an object flattened one level deep into attributes (`os.name`), for what a person reads. */
export function scalars(obj: JsonObject, prefix = '', out: Attributes = {}, depth = 0): Attributes {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') out[name] = v;
    else if (typeof v === 'number') out[name] = v;
    else if (isRecord(v) && depth < 1) scalars(v, name, out, depth + 1);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) out[name] = v.join(', ');
  }
  return out;
}

/** An entity; its key is lower-cased unless `caseSensitive` (URLs, command lines). */
export function entity(
  kind: EntityKind,
  sourceType: string,
  key: string | null,
  displayName: string | null,
  attributes: Attributes,
  raw: unknown,
  options: { roles?: string[]; verdict?: string | null; caseSensitive?: boolean } = {},
): Entity {
  const finalKey = key ? (options.caseSensitive ? key : key.toLowerCase()) : `${sourceType}:${stableHash(raw)}`;
  return {
    kind,
    sourceType,
    key: finalKey,
    displayName: displayName ?? key ?? finalKey,
    roles: (options.roles ?? []).map((r) => r.toLowerCase()),
    verdict: options.verdict ?? null,
    remediationStatus: null,
    createdAt: null,
    attributes,
    raw,
  };
}

/** Entities merged by kind and key (roles united, first seen wins otherwise). */
export function mergeEntities(entities: Entity[]): Entity[] {
  const byKey = new Map<string, Entity>();
  for (const e of entities) {
    const k = `${e.kind}\u0000${e.key}`;
    const seen = byKey.get(k);
    if (!seen) byKey.set(k, e);
    else for (const r of e.roles) if (!seen.roles.includes(r)) seen.roles.push(r);
  }
  return [...byKey.values()];
}

/** A user's key and display name: `DOMAIN\name` when a domain is given, as Windows shows it. */
export function qualifiedUser(name: string | null, domain: string | null): string | null {
  if (!name) return null;
  if (!domain || name.includes('\\') || name.includes('@')) return name;
  return `${domain}\\${name}`;
}

/** The fields a mapper sets; the rest of the Alert takes defaults, and its history is derived. */
export type AlertFields = Pick<Alert, 'sourceId' | 'title' | 'severity' | 'status' | 'createdAt' | 'raw'> & Partial<Omit<Alert, 'statusHistory'>> & { statusHistory?: Alert['statusHistory'] };

export function makeAlert(f: AlertFields): Alert {
  const updatedAt = f.updatedAt ?? f.createdAt;
  const alert: Alert = {
    sourceId: f.sourceId,
    providerAlertId: f.providerAlertId ?? null,
    title: f.title,
    description: f.description ?? null,
    severity: f.severity,
    status: f.status,
    classification: f.classification ?? null,
    determination: f.determination ?? null,
    category: f.category ?? null,
    serviceSource: f.serviceSource ?? null,
    detectionSource: f.detectionSource ?? null,
    detectorId: f.detectorId ?? null,
    productName: f.productName ?? null,
    assignedTo: f.assignedTo ?? null,
    actorDisplayName: f.actorDisplayName ?? null,
    threatDisplayName: f.threatDisplayName ?? null,
    threatFamilyName: f.threatFamilyName ?? null,
    createdAt: f.createdAt,
    updatedAt: updatedAt < f.createdAt ? f.createdAt : updatedAt,
    firstActivityAt: f.firstActivityAt ?? null,
    lastActivityAt: f.lastActivityAt ?? null,
    resolvedAt: f.resolvedAt ?? null,
    techniques: [...new Set(f.techniques ?? [])],
    recommendedActions: f.recommendedActions ?? null,
    webUrl: f.webUrl ?? null,
    evidence: mergeEntities(f.evidence ?? []),
    comments: f.comments ?? [],
    statusHistory: [],
    raw: f.raw,
  };
  alert.statusHistory =
    f.statusHistory ??
    deriveHistory({ kind: 'alert', status: alert.status, createdAt: alert.createdAt, updatedAt: alert.updatedAt, resolvedAt: alert.resolvedAt, assignedTo: alert.assignedTo, classification: alert.classification, determination: alert.determination, comments: alert.comments });
  return alert;
}
