/**
 * Incidents restricted to named people. No role is exempt: to an admin not on the list the incident
 * does not exist either (admins manage the list itself, see restrictIncident).
 */
import type { Reader } from '../../model/accounts.js';
import { accessListOf, incidentsHiddenFrom, replaceAccessList } from '../../store/accounts/incident-access.js';
import { visibleIncidentRef, visibleReviewRecord } from '../../store/accounts/visible-refs.js';
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

/**
 * Hindsight's id of the incident a reference names, if this reader may see it. Access is part of
 * the query, so an incident restricted to others and one that does not exist take the same path
 * and the same time to the same not-found (see store/accounts/visible-refs.ts).
 */
export function visibleIncidentId(store: OpenedStore, reader: Reader, ref: string): Promise<string | undefined> {
  return visibleIncidentRef(store.db, ref, reader.username);
}

/** Whether the finding exists on an incident the reader may see (access in the query, as above). */
export function canSeeFinding(store: OpenedStore, reader: Reader, findingId: string): Promise<boolean> {
  return visibleReviewRecord(store.db, 'reviewFindings', findingId, reader.username);
}

/** Whether the action item exists on an incident the reader may see (access in the query, as above). */
export function canSeeActionItem(store: OpenedStore, reader: Reader, actionItemId: string): Promise<boolean> {
  return visibleReviewRecord(store.db, 'reviewActionItems', actionItemId, reader.username);
}
