/** Connectors to live incident sources (migration 0010). The secret is never stored: only where to read it. */
export interface ConnectorsTable {
  name: string;
  type: 'defender' | 'sentinel';
  tenantId: string;
  clientId: string;
  secretKind: 'env' | 'file' | 'certificate';
  /** The environment variable's name or the file's path. */
  secretRef: string;
  cloud: string;
  graphUrl: string | null;
  armUrl: string | null;
  loginUrl: string | null;
  subscriptionId: string | null;
  resourceGroup: string | null;
  workspace: string | null;
  intervalMinutes: number;
  /** 0/1. */
  enabled: number;
  createdAt: string;
  updatedAt: string;
  /** The source time up to which every record is committed; null before the first sync. */
  checkpoint: string | null;
  /** When the scheduler runs the connector next (null: as soon as it is enabled). */
  nextRunAt: string | null;
}

/** One run of a connector, kept for the connectors screen (the newest few per connector). */
export interface ConnectorRunsTable {
  id: string;
  connectorName: string;
  startedAt: string;
  finishedAt: string | null;
  /** 0/1. */
  ok: number;
  error: string | null;
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Who runs a connector now, until when. A run takes the lease with one conditional write, so two
 * processes sharing a database (several servers on PostgreSQL) never run one connector at once;
 * a crashed holder's lease simply expires.
 */
export interface ConnectorLeasesTable {
  connectorName: string;
  holder: string;
  expiresAt: string;
}
