import type { z } from 'zod';
import {
  ConnectorInputSchema,
  ConnectorNameSchema,
  ConnectorPatchSchema,
  type ConnectorInput,
  type ConnectorPatch,
  type ConnectorSettings,
  type ConnectorView,
} from '../model/connectors.js';
import { ConflictError, InputError, NotFoundError } from '../model/errors.js';
import { deleteConnectorRow, getConnectorRow, insertConnectorRow, latestRuns, listConnectorRows, updateConnectorRow, type ConnectorRow } from '../store/connectors/index.js';
import type { OpenedStore } from '../store/index.js';
import { auditedWrite } from './audit.js';
import { rowOf, settingsOf, viewOf } from './connector-rows.js';

export { runDueConnectors, syncConnectors, type RunDueOptions, type SyncOptions } from './connector-sync.js';

/**
 * Connectors: stored settings and a reference to the secret (never the secret). Every write is
 * audited; the audit entry holds the settings and the reference, which is no secret either.
 */

export async function listConnectors(store: OpenedStore): Promise<ConnectorView[]> {
  const rows = await listConnectorRows(store.db);
  const runs = await latestRuns(store.db, rows.map((r) => r.name));
  return rows.map((row) => viewOf(row, runs.get(row.name) ?? null));
}

export async function getConnector(store: OpenedStore, name: string): Promise<ConnectorView | undefined> {
  const row = await getConnectorRow(store.db, name);
  if (!row) return undefined;
  return viewOf(row, (await latestRuns(store.db, [name])).get(name) ?? null);
}

export async function addConnector(store: OpenedStore, actor: string, input: ConnectorInput): Promise<ConnectorView> {
  const settings = parseInput(ConnectorInputSchema, input);
  return auditedWrite(store, { actor, operation: 'connector.add' }, async (tx) => {
    if (await getConnectorRow(tx.db, settings.name)) throw new ConflictError(`a connector named "${settings.name}" already exists`);
    const now = new Date().toISOString();
    const row = rowOf(settings, now);
    await insertConnectorRow(tx.db, row);
    const view = viewOf(row, null);
    return { result: view, entityId: settings.name, after: auditedView(view) };
  });
}

export async function updateConnector(store: OpenedStore, actor: string, name: string, patch: ConnectorPatch): Promise<ConnectorView> {
  const changes = parseInput(ConnectorPatchSchema, patch);
  return auditedWrite(store, { actor, operation: 'connector.update' }, async (tx) => {
    const before = await requireRow(tx, name);
    const merged = parseInput(ConnectorInputSchema, { ...settingsOf(before), ...changes });
    const now = new Date().toISOString();
    const row: ConnectorRow = { ...rowOf(merged, before.createdAt), updatedAt: now, checkpoint: before.checkpoint, nextRunAt: nextRunAfterEdit(before, merged, now) };
    await updateConnectorRow(tx.db, name, withoutKeys(row));
    const runs = await latestRuns(tx.db, [name]);
    const view = viewOf(row, runs.get(name) ?? null);
    return { result: view, entityId: name, before: auditedView(viewOf(before, null)), after: auditedView(view) };
  });
}

export async function removeConnector(store: OpenedStore, actor: string, name: string): Promise<ConnectorView> {
  return auditedWrite(store, { actor, operation: 'connector.delete' }, async (tx) => {
    const row = await requireRow(tx, name);
    const view = viewOf(row, (await latestRuns(tx.db, [name])).get(name) ?? null);
    await deleteConnectorRow(tx.db, name);
    return { result: view, entityId: name, before: auditedView(view), after: null };
  });
}

export async function setConnectorEnabled(store: OpenedStore, actor: string, name: string, enabled: boolean): Promise<ConnectorView> {
  return auditedWrite(store, { actor, operation: enabled ? 'connector.enable' : 'connector.disable' }, async (tx) => {
    const row = await requireRow(tx, name);
    const now = new Date().toISOString();
    // Enabled again, it runs at once; its history and checkpoint stay.
    const changed: ConnectorRow = { ...row, enabled: enabled ? 1 : 0, updatedAt: row.enabled === (enabled ? 1 : 0) ? row.updatedAt : now, nextRunAt: enabled ? (row.enabled ? row.nextRunAt : now) : null };
    await updateConnectorRow(tx.db, name, withoutKeys(changed));
    const view = viewOf(changed, (await latestRuns(tx.db, [name])).get(name) ?? null);
    return { result: view, entityId: name, before: { enabled: row.enabled === 1 }, after: { enabled } };
  });
}

/** A connector's name checked as the command line and the API accept it. */
export function checkConnectorName(name: string): string {
  const parsed = ConnectorNameSchema.safeParse(name);
  if (!parsed.success) throw new InputError(`connector name "${name}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return name;
}

async function requireRow(tx: OpenedStore, name: string): Promise<ConnectorRow> {
  const row = await getConnectorRow(tx.db, name);
  if (!row) throw new NotFoundError(`no connector "${name}" (run \`hindsight connectors list\`)`);
  return row;
}

/** A changed interval moves the next run; enabling runs at once; disabling stops the schedule. */
function nextRunAfterEdit(before: ConnectorRow, after: ConnectorSettings, now: string): string | null {
  if (!after.enabled) return null;
  if (!before.enabled) return now;
  if (Number(before.intervalMinutes) !== after.intervalMinutes) return new Date(Date.parse(now) + after.intervalMinutes * 60_000).toISOString();
  return before.nextRunAt;
}

function withoutKeys(row: ConnectorRow): Omit<ConnectorRow, 'name' | 'type' | 'createdAt'> {
  const { name: _name, type: _type, createdAt: _created, ...rest } = row;
  return rest;
}

/** What the audit trail keeps of a connector: its settings and secret reference, not its run state. */
function auditedView(view: ConnectorView): Omit<ConnectorView, 'lastRun' | 'nextRunAt' | 'checkpoint' | 'updatedAt'> {
  const { lastRun: _run, nextRunAt: _next, checkpoint: _checkpoint, updatedAt: _updated, ...settings } = view;
  return settings;
}

function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'connector';
  throw new InputError(issue?.message ?? 'invalid', { path: field });
}
