import { sql, type Kysely } from 'kysely';
import type { EntityKind } from '../../model/incident.js';
import { BulkInserter, type SqlValue } from '../bulk.js';
import type { StoreKind } from '../types.js';
import { alertObservableRows } from './rows.js';

/** Alerts read at once while backfilling: their entities come in one query. */
const ALERTS_PER_PAGE = 2_000;

const OBSERVABLE_COLUMNS = ['id', 'type', 'value', 'ioc', 'tlp', 'tags', 'origin', 'created_at', 'updated_at', 'updated_by'] as const;
const SIGHTING_COLUMNS = ['observable_id', 'incident_id', 'alert_id', 'at', 'origin', 'created_by'] as const;

interface AlertRow {
  id: string;
  incident_id: string;
  created_at: string;
  first_activity_at: string | null;
}

interface EntityRow {
  alert_id: string;
  kind: EntityKind;
  key: string;
  display_name: string;
  attributes: string;
  created_at: string | null;
}

/**
 * Extracts the observables of every stored alert's evidence (entities) and records their sightings:
 * run once by migration 0018 for incidents imported before observables existed. Keyset-paged over
 * alerts, so memory stays flat however large the store. Idempotent (duplicates are skipped).
 */
export async function backfillObservables<DB>(db: Kysely<DB>, kind: StoreKind): Promise<{ alerts: number; sightings: number }> {
  const bulk = new BulkInserter(kind);
  const now = new Date().toISOString();
  let after = '';
  let alerts = 0;
  let sightings = 0;
  for (;;) {
    const page = (await sql<AlertRow>`select id, incident_id, created_at, first_activity_at from alerts where id > ${after} order by id limit ${ALERTS_PER_PAGE}`.execute(db)).rows;
    if (page.length === 0) break;
    after = page[page.length - 1]?.id ?? after;
    const ids = page.map((a) => a.id);
    const entities = (await sql<EntityRow>`select alert_id, kind, key, display_name, attributes, created_at from entities where alert_id in (${sql.join(ids)}) order by alert_id, ord`.execute(db)).rows;
    const byAlert = new Map<string, EntityRow[]>();
    for (const e of entities) {
      const list = byAlert.get(e.alert_id);
      if (list) list.push(e);
      else byAlert.set(e.alert_id, [e]);
    }
    const observableRows: SqlValue[][] = [];
    const sightingRows: SqlValue[][] = [];
    for (const alert of page) {
      const evidence = (byAlert.get(alert.id) ?? []).map((e) => ({ kind: e.kind, key: e.key, displayName: e.display_name, attributes: parseAttributes(e.attributes), createdAt: e.created_at }));
      if (evidence.length === 0) continue;
      const rows = alertObservableRows(alert.incident_id, alert.id, { createdAt: alert.created_at, firstActivityAt: alert.first_activity_at }, evidence);
      for (const o of rows.observables) observableRows.push([o.id, o.type, o.value, 0, null, '[]', 'entity', now, now, null]);
      for (const s of rows.sightings) sightingRows.push([s.observableId, s.incidentId, s.alertId, s.at, s.origin, s.createdBy]);
    }
    await bulk.insert(db, 'observables', OBSERVABLE_COLUMNS, observableRows, { ignoreDuplicates: true });
    await bulk.insert(db, 'observable_sightings', SIGHTING_COLUMNS, sightingRows, { ignoreDuplicates: true });
    alerts += page.length;
    sightings += sightingRows.length;
  }
  return { alerts, sightings };
}

function parseAttributes(text: string): Record<string, string | number | boolean | null> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string | number | boolean | null>) : {};
  } catch {
    return {};
  }
}
