import type { ConnectorRun, ConnectorSettings, ConnectorView } from '../model/connectors.js';
import type { ConnectorRow } from '../store/connectors/index.js';

/** The settings a row holds (for the sync and for edits). */
export function settingsOf(row: ConnectorRow): ConnectorSettings {
  return {
    name: row.name,
    type: row.type,
    tenantId: row.tenantId,
    clientId: row.clientId,
    secret: { kind: row.secretKind, ref: row.secretRef },
    cloud: row.cloud as ConnectorSettings['cloud'],
    graphUrl: row.graphUrl,
    armUrl: row.armUrl,
    loginUrl: row.loginUrl,
    subscriptionId: row.subscriptionId,
    resourceGroup: row.resourceGroup,
    workspace: row.workspace,
    intervalMinutes: Number(row.intervalMinutes),
    enabled: Number(row.enabled) === 1,
  };
}

export function viewOf(row: ConnectorRow, lastRun: ConnectorRun | null): ConnectorView {
  const settings = settingsOf(row);
  return {
    ...settings,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastRun,
    nextRunAt: settings.enabled ? (row.nextRunAt ?? row.createdAt) : null,
    checkpoint: row.checkpoint,
  };
}

export function rowOf(settings: ConnectorSettings, now: string): ConnectorRow {
  return {
    name: settings.name,
    type: settings.type,
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    secretKind: settings.secret.kind,
    secretRef: settings.secret.ref,
    cloud: settings.cloud,
    graphUrl: settings.graphUrl,
    armUrl: settings.armUrl,
    loginUrl: settings.loginUrl,
    subscriptionId: settings.type === 'sentinel' ? settings.subscriptionId : null,
    resourceGroup: settings.type === 'sentinel' ? settings.resourceGroup : null,
    workspace: settings.type === 'sentinel' ? settings.workspace : null,
    intervalMinutes: settings.intervalMinutes,
    enabled: settings.enabled ? 1 : 0,
    createdAt: now,
    updatedAt: now,
    checkpoint: null,
    nextRunAt: settings.enabled ? now : null,
  };
}

