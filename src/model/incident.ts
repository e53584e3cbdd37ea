import { z } from 'zod';

/**
 * The domain model of an imported incident. One zod schema per type is the single source of the
 * TypeScript type, input validation and (later) the API's OpenAPI document.
 *
 * Times are UTC ISO-8601 strings (`2026-03-01T10:15:00.000Z`); ingest converts sources' formats.
 * Enumerated values from sources are kept as strings: known values are normalised to one
 * canonical spelling (see `normaliseEnum`), unknown values are kept as the source gave them.
 */

export const isoTime = z.string().datetime({ offset: true });

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ENTITY_KINDS = [
  'user',
  'device',
  'mailbox',
  'mailMessage',
  'mailCluster',
  'ip',
  'url',
  'file',
  'process',
  'registryKey',
  'registryValue',
  'cloudApplication',
  'oauthApplication',
  'securityGroup',
  'cloudLogonSession',
  'dns',
  'malware',
  'networkConnection',
  'azureResource',
  'mailboxConfiguration',
  'other',
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** One piece of evidence attached to an alert (Graph `alertEvidence`, m365d `entities`/`devices`). */
export const EntitySchema = z.object({
  kind: z.enum(ENTITY_KINDS),
  /** The source's own type name, e.g. `#microsoft.graph.security.userEvidence` or `User`. */
  sourceType: z.string(),
  /** Stable identity used to merge the same entity across alerts (lower-cased where the source is case-insensitive). */
  key: z.string().min(1),
  /** What a person reads: `jdoe@contoso.com`, `WS-FIN-042`, `203.0.113.7`, `invoice.docm`. */
  displayName: z.string(),
  /** Roles in the alert (`attacker`, `victim`, `compromised`, `destination`, ...), lower-cased. */
  roles: z.array(z.string()).default([]),
  verdict: z.string().nullable().default(null),
  remediationStatus: z.string().nullable().default(null),
  createdAt: isoTime.nullable().default(null),
  /** The identifying fields, flattened: `userPrincipalName`, `sha256`, `ipAddress`, `commandLine`, ... */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  raw: z.unknown(),
});
export type Entity = z.infer<typeof EntitySchema>;

export const CommentSchema = z.object({
  author: z.string().nullable().default(null),
  createdAt: isoTime,
  text: z.string(),
});
export type Comment = z.infer<typeof CommentSchema>;

/**
 * One recorded change of a field of an incident or alert. Sources rarely ship a history, so ingest
 * derives changes from the record's own timestamps (created, resolved) and the store records
 * every change it sees between two imports of the same record.
 */
export const StatusChangeSchema = z.object({
  /** `status`, `classification`, `determination`, `assignedTo`, `severity`. */
  field: z.string(),
  from: z.string().nullable().default(null),
  to: z.string().nullable(),
  at: isoTime,
  by: z.string().nullable().default(null),
  /** Where the change came from: `source` (the record's own timestamps/history) or `import` (seen between imports). */
  origin: z.enum(['source', 'import']).default('source'),
});
export type StatusChange = z.infer<typeof StatusChangeSchema>;

/**
 * The source's own JSON text of a record's `raw`, byte for byte, when ingest has it (an NDJSON
 * line holding one record): the store keeps that text as the raw JSON rather than serialising
 * `raw` again. Absent, `raw` is serialised. Whoever changes `raw` drops it.
 */
const RawTextSchema = z.string().optional();

export const AlertSchema = z.object({
  sourceId: z.string().min(1),
  providerAlertId: z.string().nullable().default(null),
  title: z.string(),
  description: z.string().nullable().default(null),
  severity: z.string(),
  status: z.string(),
  classification: z.string().nullable().default(null),
  determination: z.string().nullable().default(null),
  category: z.string().nullable().default(null),
  serviceSource: z.string().nullable().default(null),
  detectionSource: z.string().nullable().default(null),
  detectorId: z.string().nullable().default(null),
  productName: z.string().nullable().default(null),
  assignedTo: z.string().nullable().default(null),
  actorDisplayName: z.string().nullable().default(null),
  threatDisplayName: z.string().nullable().default(null),
  threatFamilyName: z.string().nullable().default(null),
  createdAt: isoTime,
  updatedAt: isoTime,
  firstActivityAt: isoTime.nullable().default(null),
  lastActivityAt: isoTime.nullable().default(null),
  resolvedAt: isoTime.nullable().default(null),
  /** ATT&CK technique IDs exactly as the source labelled the alert (`T1566.001`). */
  techniques: z.array(z.string()).default([]),
  recommendedActions: z.string().nullable().default(null),
  webUrl: z.string().nullable().default(null),
  evidence: z.array(EntitySchema).default([]),
  comments: z.array(CommentSchema).default([]),
  statusHistory: z.array(StatusChangeSchema).default([]),
  raw: z.unknown(),
  rawText: RawTextSchema,
});
export type Alert = z.infer<typeof AlertSchema>;

export const SOURCE_FORMATS = ['graph', 'm365d'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export const IncidentSchema = z.object({
  /** Product family the record came from: `microsoft-defender`. Together with sourceId it identifies the incident. */
  source: z.string().min(1),
  /** The file format it was read from: `graph`, `m365d`, ... */
  sourceFormat: z.string().min(1),
  sourceId: z.string().min(1),
  tenantId: z.string().nullable().default(null),
  title: z.string(),
  description: z.string().nullable().default(null),
  summary: z.string().nullable().default(null),
  severity: z.string(),
  status: z.string(),
  classification: z.string().nullable().default(null),
  determination: z.string().nullable().default(null),
  assignedTo: z.string().nullable().default(null),
  createdAt: isoTime,
  updatedAt: isoTime,
  resolvedAt: isoTime.nullable().default(null),
  tags: z.array(z.string()).default([]),
  webUrl: z.string().nullable().default(null),
  redirectIncidentId: z.string().nullable().default(null),
  alerts: z.array(AlertSchema).default([]),
  comments: z.array(CommentSchema).default([]),
  statusHistory: z.array(StatusChangeSchema).default([]),
  /**
   * True when the record was assembled from standalone alerts (Graph alerts_v2) rather than read as
   * an incident: the store then merges its alerts into the stored incident and leaves the stored
   * incident's own fields alone.
   */
  partial: z.boolean().default(false),
  raw: z.unknown(),
  rawText: RawTextSchema,
});
export type Incident = z.infer<typeof IncidentSchema>;
export type IncidentInput = z.input<typeof IncidentSchema>;

/** The fields that say how an incident was triaged: what the review policy looks at. */
export type IncidentTriage = Pick<Incident, 'severity' | 'tags' | 'classification' | 'determination'>;

/** An incident as stored: the imported record plus Hindsight's own identity and bookkeeping. */
export interface StoredIncident extends Incident {
  /** Hindsight's id, stable across re-imports: `inc_` + 12 hex characters. */
  id: string;
  importedAt: string;
}
