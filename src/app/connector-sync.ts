import { randomUUID } from 'node:crypto';
import { DEFAULT_TUNING, SourceError, sourcePages, type HttpTuning, type SourcePage } from '../connectors/index.js';
import type { ConnectorRun, ConnectorSettings, SyncConnectorResult, SyncReport } from '../model/connectors.js';
import { HindsightError, NotFoundError } from '../model/errors.js';
import { loadPolicy, type ReviewPolicy } from '../review/policy.js';
import { acquireLease, getConnectorRow, listConnectorRows, recordRun, releaseLease, renewLease, setCheckpoint, setNextRun, type ConnectorRow } from '../store/connectors/index.js';
import type { OpenedStore } from '../store/index.js';
import { settingsOf } from './connector-rows.js';
import { importIncidentBatchesWithPolicy } from './import-batches.js';

/**
 * A first sync without --since looks back this far: in effect everything the source still holds
 * (Defender XDR keeps incidents for 180 days, Sentinel as long as the workspace retains them), so the
 * history that reviews and trends learn from arrives with the first sync. `--since` bounds it.
 */
export const DEFAULT_LOOKBACK_DAYS = 3_653;
/** Each sync lists from this long before the checkpoint: the source's clock and ours may differ, and a record may commit late. */
export const OVERLAP_MS = 5 * 60_000;
/** Incidents written per transaction: fewer, larger transactions; a killed sync redoes at most this many. */
const GROUP_INCIDENTS = 500;
/** How long a run's lease lasts without renewal (renewed after every commit). */
const LEASE_MS = 10 * 60_000;

export interface SyncOptions {
  /** Connectors to run (default: every enabled one; named ones run even when disabled). */
  names?: string[];
  /** Lists from this time instead of the checkpoint (a first sync's bound, or a deliberate backfill). */
  since?: string;
  env?: NodeJS.ProcessEnv;
  /** Who the audit trail names for the incidents a sync writes. */
  actor: string;
  fetch?: typeof fetch;
  /** Each request made and each page written. */
  onProgress?: (message: string) => void;
  /** Timeouts and retry budget (tests make them short). */
  tuning?: Partial<HttpTuning>;
  /** The review policy file (default: HINDSIGHT_POLICY, then the shipped one). */
  policyFile?: string;
}

export interface RunDueOptions {
  now?: Date;
  env?: NodeJS.ProcessEnv;
  actor: string;
  fetch?: typeof fetch;
  onProgress?: (message: string) => void;
  tuning?: Partial<HttpTuning>;
}

/**
 * Runs connectors one after the other (`hindsight sync`, the server's "run now"): each lists what
 * its source changed since its checkpoint and writes it a page at a time, each page in its own
 * transaction with the review policy applied and the audit entry. The checkpoint advances once
 * every page is committed, so a sync stopped anywhere starts again from the old checkpoint and the
 * idempotent import turns what it had written into "unchanged": nothing lost, nothing twice. A
 * connector that fails is reported with its error; the others still run.
 */
export async function syncConnectors(store: OpenedStore, options: SyncOptions): Promise<SyncReport> {
  const rows = await selectRows(store, options.names);
  const { policy } = loadPolicy({ file: options.policyFile, env: options.env });
  const report: SyncReport = { connectors: [] };
  for (const row of rows) report.connectors.push(await runConnector(store, row, policy, options));
  return report;
}

/**
 * Runs every enabled connector whose next run is due (the team server's schedule). A connector
 * another process is running (its lease is held) is left to it and not reported.
 */
export async function runDueConnectors(store: OpenedStore, options: RunDueOptions): Promise<SyncReport> {
  const now = (options.now ?? new Date()).toISOString();
  const due = (await listConnectorRows(store.db)).filter((row) => Number(row.enabled) === 1 && (row.nextRunAt ?? row.createdAt) <= now);
  const report: SyncReport = { connectors: [] };
  if (due.length === 0) return report;
  const { policy } = loadPolicy({ env: options.env });
  for (const row of due) {
    const result = await runConnector(store, row, policy, { ...options, skipWhenBusy: true, dueBy: now });
    if (result) report.connectors.push(result);
  }
  return report;
}

async function selectRows(store: OpenedStore, names: string[] | undefined): Promise<ConnectorRow[]> {
  if (!names || names.length === 0) return (await listConnectorRows(store.db)).filter((row) => Number(row.enabled) === 1);
  const rows: ConnectorRow[] = [];
  for (const name of [...new Set(names)]) {
    const row = await getConnectorRow(store.db, name);
    if (!row) throw new NotFoundError(`no connector "${name}" (run \`hindsight connectors list\`)`);
    rows.push(row);
  }
  return rows;
}

/** `skipWhenBusy`: a scheduled run, skipped when another holds the lease; `dueBy`: run only if still due by then once the lease is held. */
type RunOptions = Omit<SyncOptions, 'names'> & { skipWhenBusy?: boolean; dueBy?: string };

async function runConnector(store: OpenedStore, row: ConnectorRow, policy: ReviewPolicy, options: RunOptions & { skipWhenBusy: true }): Promise<SyncConnectorResult | undefined>;
async function runConnector(store: OpenedStore, row: ConnectorRow, policy: ReviewPolicy, options: RunOptions): Promise<SyncConnectorResult>;
async function runConnector(store: OpenedStore, listed: ConnectorRow, policy: ReviewPolicy, options: RunOptions): Promise<SyncConnectorResult | undefined> {
  const holder = randomUUID();
  const startedAt = new Date();
  if (!(await acquireLease(store.db, listed.name, holder, startedAt.toISOString(), leaseEnd()))) {
    if (options.skipWhenBusy) return undefined;
    return { name: listed.name, type: settingsOf(listed).type, fetched: 0, created: 0, updated: 0, unchanged: 0, checkpoint: listed.checkpoint, error: `connector "${listed.name}" is already running` };
  }
  // Read again under the lease: a run that ended between the listing and the lease has moved the
  // checkpoint and the next run, and a scheduled run that is no longer due is not run twice.
  const row = await getConnectorRow(store.db, listed.name);
  const stillDue = row !== undefined && (options.dueBy === undefined || (Number(row.enabled) === 1 && (row.nextRunAt ?? row.createdAt) <= options.dueBy));
  if (!row || !stillDue) {
    await releaseLease(store.db, listed.name, holder).catch(() => undefined);
    return undefined;
  }
  const settings = settingsOf(row);
  const result: SyncConnectorResult = { name: settings.name, type: settings.type, fetched: 0, created: 0, updated: 0, unchanged: 0, checkpoint: row.checkpoint, error: null };
  // The lease is renewed while the run lasts, however long one request waits for the source.
  const renewal = setInterval(() => void renewLease(store.db, settings.name, holder, leaseEnd()).catch(() => undefined), LEASE_MS / 5);
  renewal.unref();
  try {
    await syncPages(store, settings, row.checkpoint, policy, options, result, startedAt, holder);
  } catch (error) {
    result.error = messageOf(settings.name, error);
  } finally {
    clearInterval(renewal);
    const finishedAt = new Date().toISOString();
    const run: ConnectorRun = { startedAt: startedAt.toISOString(), finishedAt, ok: result.error === null, error: result.error, fetched: result.fetched, created: result.created, updated: result.updated, unchanged: result.unchanged };
    await store
      .transaction(async (tx) => {
        await recordRun(tx.db, settings.name, run);
        await setNextRun(tx.db, settings.name, settings.enabled ? new Date(Date.parse(finishedAt) + settings.intervalMinutes * 60_000).toISOString() : null);
      })
      .catch(() => undefined);
    await releaseLease(store.db, settings.name, holder).catch(() => undefined);
  }
  options.onProgress?.(`${settings.name}: ${result.error ? `failed: ${result.error}` : `fetched ${result.fetched}, created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}`}`);
  return result;
}

async function syncPages(store: OpenedStore, settings: ConnectorSettings, stored: string | null, policy: ReviewPolicy, options: RunOptions, result: SyncConnectorResult, startedAt: Date, holder: string): Promise<void> {
  const base = options.since ?? stored ?? new Date(startedAt.getTime() - DEFAULT_LOOKBACK_DAYS * 86_400_000).toISOString();
  const from = new Date(Date.parse(base) - OVERLAP_MS).toISOString().replace(/\.000Z$/, 'Z');
  let newest: string | undefined;
  const pages = sourcePages(settings, {
    from,
    env: options.env ?? process.env,
    fetch: options.fetch ?? fetch,
    tuning: { ...DEFAULT_TUNING, ...options.tuning },
    log: (line) => options.onProgress?.(`${settings.name}: ${line}`),
  });
  // Pages are written a group at a time (fewer, larger transactions), while the next page is
  // already being fetched. A failing page still lets the pages before it commit.
  let group: SourcePage[] = [];
  const commit = async () => {
    if (group.length === 0) return;
    const pagesNow = group;
    group = [];
    const label = `connector:${settings.name} ${pagesNow[0]!.request}${pagesNow.length > 1 ? ` (${pagesNow.length} pages)` : ''}`;
    // The group, its reviews and its audit entry commit together, or (killed or failing) not at all.
    const { imported } = await store.transaction(
      (tx) => importIncidentBatchesWithPolicy(tx, pagesNow.map((p) => p.incidents), policy, { actor: options.actor, files: [label] }),
      { bulk: true },
    );
    for (const page of pagesNow) {
      result.fetched += page.records;
      for (const incident of page.incidents) if (!newest || incident.updatedAt > newest) newest = incident.updatedAt;
    }
    result.created += imported.summary.created;
    result.updated += imported.summary.updated;
    result.unchanged += imported.summary.unchanged;
    if (!(await renewLease(store.db, settings.name, holder, leaseEnd()))) throw new SourceError(`connector "${settings.name}": its run lease expired and another run took it over`);
  };
  try {
    let size = 0;
    for await (const page of readAhead(pages)) {
      group.push(page);
      size += page.incidents.length;
      if (size >= GROUP_INCIDENTS) {
        size = 0;
        await commit();
      }
    }
  } catch (error) {
    await commit();
    throw error;
  }
  await commit();
  // Every page is committed: the next sync may start from the newest change seen (never later
  // than this sync's start, and never earlier than where this one started).
  const seen = newest && newest < startedAt.toISOString() ? newest : newest ? startedAt.toISOString() : base;
  const checkpoint = [seen, base, stored ?? ''].reduce((a, b) => (a > b ? a : b));
  await setCheckpoint(store.db, settings.name, checkpoint);
  result.checkpoint = checkpoint;
}

/** Yields the source's items while already asking for the next one. */
async function* readAhead<T>(source: AsyncIterator<T>): AsyncGenerator<T> {
  let next = source.next();
  // A prefetch that fails after the consumer stopped must not surface as an unhandled rejection.
  next.catch(() => undefined);
  for (;;) {
    const item = await next;
    if (item.done) return;
    next = source.next();
    next.catch(() => undefined);
    yield item.value;
  }
}

function leaseEnd(): string {
  return new Date(Date.now() + LEASE_MS).toISOString();
}

/** One line naming the connector; never a stack, a token or the secret (SourceError messages are built without them). */
function messageOf(name: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof HindsightError && message.includes(`connector "${name}"`)) return message;
  return `connector "${name}": ${message}`;
}
