import { UsageError } from '../model/errors.js';
import type { Alert, Incident } from '../model/incident.js';
import { stableHash } from './fields.js';
import type { MappedAlert } from './formats.js';
import { derivePartialIncident } from './graph.js';

/**
 * How standalone alerts that name no incident (OCSF detection findings, Wazuh and Elastic alerts,
 * Splunk notables) become incidents. The rule is a pure function of each alert, so it is stable:
 * the same alerts always land in the same incidents, and alerts imported later land in the incident
 * their key names (a partial incident the store extends).
 *
 * - `groupBy`: fields from GROUP_FIELDS. An alert's key is the value of each field: its first host
 *   (short name: `DC-01.acme.local` -> `dc-01`), its first user (account name: `ACME\\jdoe` and
 *   `jdoe@acme.example` -> `jdoe`), its rule (detector id, else title), its source; lower-cased;
 *   empty when it has none.
 * - `windowMs`: alerts are bucketed by creation time into fixed windows counted from the Unix epoch
 *   (1h windows start on the hour, UTC). Fixed rather than sliding windows keep the rule stable.
 * - `incidentTitle`: instead of the rule, every such alert of the import goes into one incident of
 *   that title (the same title names the same incident in later imports).
 *
 * Without `source` in groupBy, alerts of different sources with the same key share an incident (the
 * SIEM-style correlation of one host/user across tools); such an incident's source is `hindsight`.
 */
export const GROUP_FIELDS = ['host', 'user', 'rule', 'source'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

export interface GroupingOptions {
  groupBy: readonly GroupField[];
  windowMs: number;
  incidentTitle?: string | null;
}

export const DEFAULT_GROUPING: GroupingOptions = { groupBy: ['host', 'user'], windowMs: 3_600_000, incidentTitle: null };

/** The source of incidents Hindsight makes from alerts of possibly several sources. */
export const GROUPED_SOURCE = 'hindsight';
/** Prefixes of the sourceIds of grouped and titled incidents. */
export const GROUP_ID_PREFIX = 'group-';
export const TITLED_ID_PREFIX = 'titled-';

/** `--group-by host,user`: a comma-separated list of GROUP_FIELDS. */
export function parseGroupBy(text: string): GroupField[] {
  const fields = text.split(',').map((f) => f.trim().toLowerCase()).filter((f) => f !== '');
  if (fields.length === 0) throw new UsageError(`--group-by needs at least one of ${GROUP_FIELDS.join(', ')}`);
  for (const f of fields) if (!(GROUP_FIELDS as readonly string[]).includes(f)) throw new UsageError(`--group-by: unknown field "${f}" (expected ${GROUP_FIELDS.join(', ')})`);
  return [...new Set(fields)] as GroupField[];
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--window 30m|1h|1d|90s`: a positive whole number and a unit (s, m, h, d), at most 30 days. */
export function parseWindow(text: string): number {
  const m = /^\s*(\d+)\s*([smhd])\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms > 30 * UNIT_MS.d!) throw new UsageError(`--window must be a duration like 30m, 1h or 1d (at most 30d), not "${text}"`);
  return ms;
}

/** A window length as people write it: 3600000 -> `1h`. */
export function formatWindow(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's']) if (ms % UNIT_MS[unit]! === 0) return `${ms / UNIT_MS[unit]!}${unit}`;
  return `${ms}ms`;
}

interface Group {
  source: string;
  sourceFormat: string;
  sourceId: string;
  description: string | null;
  title: string | null;
  alerts: Alert[];
  /** The ids of `alerts`: a group of many alerts (one --incident-title) is checked in constant time. */
  ids: Set<string>;
  /** Each alert's tenant and incident address: the incident takes its earliest alert's. */
  context: Map<Alert, { tenantId: string | null; webUrl: string | null }>;
}

/**
 * Partial incidents of standalone alerts: alerts naming an incident (`incidentKey`) join it; the
 * others are placed by the grouping rule. Each incident's own fields are derived from its alerts
 * (title from the earliest alert, or the --incident-title; severity the highest; status derived).
 */
export function groupAlerts(records: readonly MappedAlert[], options: GroupingOptions = DEFAULT_GROUPING): Incident[] {
  const groups = new Map<string, Group>();
  for (const record of records) {
    // An alert naming its incident is placed by that name alone: most alerts of a Defender export join
    // a group already made, and need nothing built.
    let existing = record.incidentKey === undefined ? undefined : groups.get(`${record.source}\u0000${record.incidentKey}`);
    if (!existing) {
      const group = placement(record, options);
      const id = `${group.source}\u0000${group.sourceId}`;
      existing = groups.get(id);
      if (!existing) groups.set(id, (existing = { ...group, alerts: [], ids: new Set(), context: new Map() }));
    }
    if (existing.ids.has(record.alert.sourceId)) continue;
    existing.ids.add(record.alert.sourceId);
    existing.alerts.push(record.alert);
    existing.context.set(record.alert, { tenantId: record.tenantId ?? null, webUrl: record.incidentWebUrl ?? null });
  }
  return [...groups.values()].map((g) => incidentOf(g));
}

function placement(record: MappedAlert, options: GroupingOptions): Omit<Group, 'alerts' | 'ids' | 'context'> {
  const base = { sourceFormat: record.sourceFormat };
  if (record.incidentKey !== undefined) {
    return { ...base, source: record.source, sourceId: record.incidentKey, description: null, title: null };
  }
  const title = options.incidentTitle?.trim();
  if (title) {
    return { ...base, source: GROUPED_SOURCE, sourceId: TITLED_ID_PREFIX + stableHash(title), description: `Alerts imported under the title "${title}".`, title };
  }
  const values = options.groupBy.map((field) => [field, fieldValue(record, field)] as const);
  const created = Date.parse(record.alert.createdAt);
  const start = Math.floor(created / options.windowMs) * options.windowMs;
  const bySource = options.groupBy.includes('source');
  const source = bySource ? record.source : GROUPED_SOURCE;
  const sourceId = GROUP_ID_PREFIX + stableHash({ groupBy: values, windowMs: options.windowMs, start });
  const shown = values.map(([f, v]) => `${f}=${v === '' ? '(none)' : v}`).join(', ');
  const window = `${new Date(start).toISOString()} to ${new Date(start + options.windowMs).toISOString()}`;
  return { ...base, source, sourceId, description: `Alerts grouped by ${shown} in the ${formatWindow(options.windowMs)} window ${window}.`, title: null };
}

function fieldValue(record: MappedAlert, field: GroupField): string {
  switch (field) {
    case 'host':
      return hostKey(record.group.hosts[0] ?? '');
    case 'user':
      return userKey(record.group.users[0] ?? '');
    case 'rule':
      return (record.alert.detectorId ?? record.alert.title).trim().toLowerCase();
    case 'source':
      return record.source;
  }
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]+)$/i;

/** A host as grouping compares it: lower-cased, without its DNS domain (`DC-01.acme.local` -> `dc-01`); IP addresses whole. */
export function hostKey(host: string): string {
  const h = host.trim().toLowerCase();
  return IP.test(h) ? h : (h.split('.')[0] ?? h);
}

/** A user as grouping compares it: the account name, lower-cased, without domain (`ACME\jdoe`, `jdoe@acme.example` -> `jdoe`). */
export function userKey(user: string): string {
  const u = user.trim().toLowerCase();
  const afterBackslash = u.slice(u.lastIndexOf('\\') + 1);
  return afterBackslash.split('@')[0] ?? afterBackslash;
}

function incidentOf(group: Group): Incident {
  const alerts = [...group.alerts].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const derived = derivePartialIncident(alerts);
  const context = group.context.get(alerts[0]!);
  return {
    source: group.source,
    sourceFormat: group.sourceFormat,
    sourceId: group.sourceId,
    tenantId: context?.tenantId ?? null,
    title: group.title ?? derived.title,
    description: group.description,
    summary: null,
    severity: derived.severity,
    status: derived.status,
    classification: null,
    determination: null,
    assignedTo: null,
    createdAt: derived.createdAt,
    updatedAt: derived.updatedAt,
    resolvedAt: derived.resolvedAt,
    tags: [],
    webUrl: context?.webUrl ?? null,
    redirectIncidentId: null,
    alerts,
    comments: [],
    statusHistory: derived.statusHistory,
    partial: true,
    raw: null,
  };
}

/**
 * A partial incident's own fields derived again from all its stored alerts (the store calls this
 * when alerts of one arrive in several batches or imports): as derivePartialIncident, except that
 * an incident named by --incident-title keeps its title.
 */
export function derivePartialFields(alerts: Parameters<typeof derivePartialIncident>[0], incident?: { sourceId: string; title: string }): ReturnType<typeof derivePartialIncident> {
  const derived = derivePartialIncident(alerts);
  if (incident && incident.sourceId.startsWith(TITLED_ID_PREFIX)) return { ...derived, title: incident.title };
  return derived;
}
