/**
 * Incidents restricted to named people. No role is exempt: to an admin not on the list the incident
 * does not exist either (admins manage the list itself, see restrictIncident).
 */
import type { Reader } from '../../model/accounts.js';
import { accessListOf, incidentsHiddenFrom, replaceAccessList } from '../../store/accounts/incident-access.js';
import type { OpenedStore } from '../../store/index.js';
import { auditedWrite } from '../audit.js';

/** Restricts an incident to the named people (an empty list lifts the restriction); returns the saved list. */
export async function restrictIncident(store: OpenedStore, incidentId: string, usernames: readonly string[], actor: string): Promise<string[]> {
  const names = [...new Set(usernames.map((u) => u.trim()).filter(Boolean))].sort();
  return auditedWrite(store, { actor, operation: names.length ? 'incident.restrict' : 'incident.unrestrict' }, async (tx) => {
    const before = await accessListOf(tx.db, incidentId);
    await replaceAccessList(tx.db, incidentId, names);
    return { result: names, entityId: incidentId, before: { restrictedTo: before }, after: { restrictedTo: names } };
  });
}

/** The people an incident is restricted to; empty when everyone signed in may see it. */
export function accessList(store: OpenedStore, incidentId: string): Promise<string[]> {
  return accessListOf(store.db, incidentId);
}

/** Whether the reader may see the incident, and its access list (empty: unrestricted), in one read. */
export async function incidentAccess(store: OpenedStore, reader: Reader, incidentId: string): Promise<{ visible: boolean; restrictedTo: string[] }> {
  const restrictedTo = await accessListOf(store.db, incidentId);
  return { visible: restrictedTo.length === 0 || restrictedTo.includes(reader.username), restrictedTo };
}

/** Whether the reader may see the incident: it is unrestricted, or the reader is named in its list. */
export async function canSee(store: OpenedStore, reader: Reader, incidentId: string): Promise<boolean> {
  return (await incidentAccess(store, reader, incidentId)).visible;
}

/** Restricted incidents the reader is not named on, whatever the reader's role. */
export async function hiddenIncidents(store: OpenedStore, reader: Reader): Promise<Set<string>> {
  return new Set(await incidentsHiddenFrom(store.db, reader.username));
}
