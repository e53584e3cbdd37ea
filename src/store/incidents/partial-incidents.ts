import type { Kysely } from 'kysely';
import type { StatusChange } from '../../model/incident.js';
import type { Database } from '../database.js';
import { contentHash } from '../ids.js';
import { fromFlag } from '../json-text.js';
import { keyOf, LOOKUP_KEYS, slices, type KnownRecords } from './known-records.js';
import type { RowBuffer } from './row-buffer.js';
import { statusRow } from './rows.js';

/** The fields of a stored alert a partial incident's own fields are derived from. */
export interface PartialAlertFields {
  title: string;
  severity: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

/** A partial incident's own fields, as its source derives them from its alerts. */
export interface PartialIncidentFields extends PartialAlertFields {
  statusHistory: StatusChange[];
}

/** Derives a partial incident's fields from its alerts; `incident` is the stored one (an incident named on import keeps its title). */
export type PartialIncidentDeriver = (alerts: PartialAlertFields[], incident: { source: string; sourceId: string; title: string }) => PartialIncidentFields;

/**
 * A partial incident (made of standalone alerts) has no fields of its own: they follow from its
 * alerts. When alerts of one arrive in several imports or batches, its fields are derived again
 * from all its stored alerts, its source history replaced, and its content hash renewed; what the
 * import knows of it follows.
 */
export async function derivePartialsAgain(
  db: Kysely<Database>,
  ids: readonly string[],
  derive: PartialIncidentDeriver,
  importedAt: string,
  known: KnownRecords,
  rows: RowBuffer,
): Promise<void> {
  for (const part of slices(ids, LOOKUP_KEYS)) {
    const alertRows = await db
      .selectFrom('alerts')
      .select(['incidentId', 'title', 'severity', 'status', 'createdAt', 'updatedAt', 'resolvedAt', 'contentHash'])
      .where('incidentId', 'in', part)
      .orderBy('incidentId')
      .orderBy('id')
      .execute();
    const byIncident = new Map<string, typeof alertRows>();
    for (const r of alertRows) {
      let list = byIncident.get(r.incidentId);
      if (!list) byIncident.set(r.incidentId, (list = []));
      list.push(r);
    }
    const stored = await db
      .selectFrom('incidents')
      .select(['id', 'source', 'sourceId', 'title', 'severity', 'status', 'createdAt', 'updatedAt', 'resolvedAt', 'partial'])
      .where('id', 'in', part)
      .execute();
    for (const incident of stored) {
      const alerts = byIncident.get(incident.id);
      if (!alerts || alerts.length === 0 || !fromFlag(incident.partial)) continue;
      const derived = derive(
        alerts.map(({ title, severity, status, createdAt, updatedAt, resolvedAt }) => ({ title, severity, status, createdAt, updatedAt, resolvedAt })),
        incident,
      );
      const same =
        derived.title === incident.title &&
        derived.severity === incident.severity &&
        derived.status === incident.status &&
        derived.createdAt === incident.createdAt &&
        derived.updatedAt === incident.updatedAt &&
        derived.resolvedAt === incident.resolvedAt;
      if (same) continue;
      const hash = contentHash(
        [derived.title, derived.severity, derived.status, derived.createdAt, derived.updatedAt, derived.resolvedAt ?? '\u0000', ...alerts.map((r) => r.contentHash)].join('\u0002'),
      );
      await db
        .updateTable('incidents')
        .set({
          title: derived.title,
          severity: derived.severity,
          status: derived.status,
          createdAt: derived.createdAt,
          updatedAt: derived.updatedAt,
          resolvedAt: derived.resolvedAt,
          contentHash: hash,
          importedAt,
        })
        .where('id', '=', incident.id)
        .execute();
      await db.deleteFrom('statusChanges').where('incidentId', '=', incident.id).where('alertId', 'is', null).where('origin', '<>', 'import').execute();
      derived.statusHistory.forEach((change, i) => rows.push('statusChanges', statusRow(incident.id, null, i, change)));
      const record = known.incidents.get(keyOf(incident.source, incident.sourceId));
      if (record) Object.assign(record, { updatedAt: derived.updatedAt, hash, status: derived.status, severity: derived.severity });
    }
  }
}
