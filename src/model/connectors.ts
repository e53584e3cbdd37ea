import { z } from 'zod';

/**
 * A connector pulls incidents from a live source (Microsoft Defender XDR through the Graph security
 * API, Microsoft Sentinel through Azure Resource Manager) on a schedule. It stores only a
 * *reference* to its secret (an environment variable, a file such as a mounted Kubernetes secret,
 * or a PEM certificate file): the secret itself is read at sync time and never stored, logged,
 * audited or printed.
 */

export const CONNECTOR_TYPES = ['defender', 'sentinel'] as const;
export const ConnectorTypeSchema = z.enum(CONNECTOR_TYPES);
export type ConnectorType = z.infer<typeof ConnectorTypeSchema>;

export const CLOUDS = ['global', 'usgov', 'usgovhigh', 'dod', 'china'] as const;
export const CloudSchema = z.enum(CLOUDS);
export type Cloud = z.infer<typeof CloudSchema>;

/** Connector names are used on the command line and in URLs: short, no spaces or slashes. */
export const ConnectorNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a connector name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const SecretRefSchema = z.object({
  /** `env`: an environment variable holding the client secret; `file`: a file holding it; `certificate`: a PEM file with the private key and certificate. */
  kind: z.enum(['env', 'file', 'certificate']),
  /** The variable name or file path: never the secret itself. */
  ref: z.string().min(1).max(1024),
});
export type SecretRef = z.infer<typeof SecretRefSchema>;

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//i.test(value), 'must be an http(s) URL');

const ConnectorFields = {
  name: ConnectorNameSchema,
  type: ConnectorTypeSchema,
  tenantId: z.string().min(1).max(200),
  clientId: z.string().min(1).max(200),
  secret: SecretRefSchema,
  cloud: CloudSchema.default('global'),
  /** Overrides of the cloud's hosts, for private endpoints (and local stand-ins in tests). */
  graphUrl: httpUrl.nullable().default(null),
  armUrl: httpUrl.nullable().default(null),
  loginUrl: httpUrl.nullable().default(null),
  /** Sentinel only: the Log Analytics workspace the incidents live in. */
  subscriptionId: z.string().min(1).max(200).nullable().default(null),
  resourceGroup: z.string().min(1).max(200).nullable().default(null),
  workspace: z.string().min(1).max(200).nullable().default(null),
  /** Minutes between scheduled runs in the team server. */
  intervalMinutes: z.number().int().min(1).max(10080).default(5),
  enabled: z.boolean().default(true),
};

function requireSentinelWorkspace(value: { type: ConnectorType; subscriptionId: string | null; resourceGroup: string | null; workspace: string | null }, ctx: z.RefinementCtx): void {
  if (value.type !== 'sentinel') return;
  for (const field of ['subscriptionId', 'resourceGroup', 'workspace'] as const) {
    if (!value[field]) ctx.addIssue({ code: 'custom', path: [field], message: `a sentinel connector needs ${field}` });
  }
}

/** What `connectors add` and `POST /api/connectors` accept. */
export const ConnectorInputSchema = z.object(ConnectorFields).strict().superRefine(requireSentinelWorkspace);
export type ConnectorInput = z.input<typeof ConnectorInputSchema>;
export type ConnectorSettings = z.output<typeof ConnectorInputSchema>;

/** What an edit may change: everything but the name and the type. */
export const ConnectorPatchSchema = z
  .object({
    tenantId: ConnectorFields.tenantId,
    clientId: ConnectorFields.clientId,
    secret: SecretRefSchema,
    cloud: CloudSchema,
    graphUrl: httpUrl.nullable(),
    armUrl: httpUrl.nullable(),
    loginUrl: httpUrl.nullable(),
    subscriptionId: z.string().min(1).max(200).nullable(),
    resourceGroup: z.string().min(1).max(200).nullable(),
    workspace: z.string().min(1).max(200).nullable(),
    intervalMinutes: z.number().int().min(1).max(10080),
    enabled: z.boolean(),
  })
  .partial()
  .strict();
export type ConnectorPatch = z.infer<typeof ConnectorPatchSchema>;

export const ConnectorRunSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  ok: z.boolean(),
  /** Why the run failed (never holds the secret or token). */
  error: z.string().nullable(),
  fetched: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
export type ConnectorRun = z.infer<typeof ConnectorRunSchema>;

/** A connector as lists, `show` and the web app present it. */
export const ConnectorViewSchema = z.object({
  name: ConnectorNameSchema,
  type: ConnectorTypeSchema,
  tenantId: z.string(),
  clientId: z.string(),
  secret: SecretRefSchema,
  cloud: CloudSchema,
  graphUrl: z.string().nullable(),
  armUrl: z.string().nullable(),
  loginUrl: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  resourceGroup: z.string().nullable(),
  workspace: z.string().nullable(),
  intervalMinutes: z.number().int(),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastRun: ConnectorRunSchema.nullable(),
  /** When the scheduler runs it next; null when disabled. */
  nextRunAt: z.string().nullable(),
  /** The source time up to which everything is committed; null before the first sync. */
  checkpoint: z.string().nullable(),
});
export type ConnectorView = z.infer<typeof ConnectorViewSchema>;

/** One connector's outcome in `hindsight sync --json` (field names are the command line contract). */
export const SyncConnectorResultSchema = z.object({
  name: z.string(),
  type: ConnectorTypeSchema,
  fetched: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  checkpoint: z.string().nullable(),
  error: z.string().nullable(),
});
export type SyncConnectorResult = z.infer<typeof SyncConnectorResultSchema>;

export const SyncReportSchema = z.object({ connectors: z.array(SyncConnectorResultSchema) });
export type SyncReport = z.infer<typeof SyncReportSchema>;
