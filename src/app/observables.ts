/**
 * Observables, for both front ends: the values an incident's evidence carries (extracted at import,
 * see store/observables), the ones analysts add by hand, their marks (IOC flag, TLP, tags) and where
 * they were seen. A reader sees observables as they see incidents: sightings in incidents restricted
 * to other people count for nothing, and an observable seen only there does not exist for them.
 */
import type { Reader } from '../model/accounts.js';
import { InputError, NotFoundError, UsageError } from '../model/errors.js';
import { normaliseObservable, observableId, observableIdsOfValue } from '../model/observable-values.js';
import {
  DEFAULT_INCIDENT_TLP,
  ObservableAddSchema,
  ObservableMarkSchema,
  type Observable,
  type ObservableAdd,
  type ObservableMark,
  type ObservableQuery,
  type ObservableType,
  type TlpLevel,
} from '../model/observables.js';
import type { OpenedStore } from '../store/index.js';
import {
  getObservableRow,
  incidentTlpOf,
  insertObservableIfNew,
  insertSightingIfNew,
  listObservableRows,
  newObservableRow,
  setIncidentTlpRow,
  sightingsOf,
  updateObservableMarks,
  type ObservableListRow,
} from '../store/observables/index.js';
import { hiddenIncidents, incidentAccess } from './accounts/incident-access.js';
import { auditedWrite } from './audit.js';
import { incidentIdOf } from './incidents.js';
import { parseReviewInput } from './review/write.js';

/** Sightings returned with each observable: the most recent ones (the counts and dates cover all). */
export const SIGHTINGS_SHOWN = 100;
/** An incident's observables are read whole, up to this many. */
const MAX_INCIDENT_OBSERVABLES = 5_000;
const MAX_PAGE = 500;

/**
 * The incident a reader names, if they may see it: Hindsight's id for any reference (id, source id,
 * Sentinel number). Unknown and restricted answer the same.
 */
export async function visibleIncidentId(store: OpenedStore, ref: string, reader: Reader): Promise<string> {
  const id = await incidentIdOf(store, ref);
  if (id === undefined || !(await incidentAccess(store, reader, id)).visible) throw new NotFoundError(`no incident "${ref}"`);
  return id;
}

/** An incident's TLP marking: its own, else AMBER (DEFAULT_INCIDENT_TLP). */
export async function incidentTlp(store: OpenedStore, incidentId: string): Promise<TlpLevel> {
  return (await incidentTlpOf(store.db, incidentId)) ?? DEFAULT_INCIDENT_TLP;
}

/** Sets an incident's TLP marking (audited); the observables without their own marking inherit it. */
export async function setIncidentTlp(store: OpenedStore, ref: string, tlp: TlpLevel, reader: Reader): Promise<{ incidentId: string; tlp: TlpLevel }> {
  const incidentId = await visibleIncidentId(store, ref, reader);
  return auditedWrite(store, { actor: reader.username, operation: 'incident.tlp' }, async (tx) => {
    const before = await incidentTlpOf(tx.db, incidentId);
    await setIncidentTlpRow(tx.db, incidentId, tlp, reader.username, new Date().toISOString());
    return { result: { incidentId, tlp }, entityId: incidentId, before: { tlp: before ?? null }, after: { tlp } };
  });
}

/**
 * The observables seen in an incident (access-checked like every incident read), each with its
 * sightings in every incident the reader may see. TLP: the observable's own marking, else the
 * incident's.
 */
export async function observablesOfIncident(store: OpenedStore, incidentId: string, reader: Reader): Promise<Observable[]> {
  const id = await visibleIncidentId(store, incidentId, reader);
  const [hidden, tlp] = await Promise.all([hiddenIncidents(store, reader), incidentTlp(store, id)]);
  const { rows } = await listObservableRows(store.db, { incidentId: id, limit: MAX_INCIDENT_OBSERVABLES, offset: 0 }, hidden);
  return withSightings(store, rows, hidden, () => tlp);
}

/**
 * Observables across the incidents a reader may see, most recently seen first. `value` finds the
 * observable under every type the text is valid for (203.0.113.66 as ipv4; a hash by its length);
 * `incident` limits to one incident's. TLP: the observable's own marking, else the strictest of the
 * incidents it was seen in.
 */
export async function listObservables(store: OpenedStore, query: ObservableQuery & { contains?: string }, reader: Reader): Promise<{ total: number; observables: Observable[] }> {
  const limit = query.limit ?? 100;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new UsageError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError('offset must be a whole number, 0 or more');
  const incidentId = query.incident !== undefined ? await visibleIncidentId(store, query.incident, reader) : undefined;
  const ids = query.value !== undefined ? observableIdsOfValue(query.value, query.type) : undefined;
  const hidden = await hiddenIncidents(store, reader);
  const { total, rows } = await listObservableRows(
    store.db,
    { ...(ids ? { ids } : {}), ...(query.type ? { type: query.type } : {}), ...(query.ioc !== undefined ? { ioc: query.ioc } : {}), ...(incidentId ? { incidentId } : {}), ...(query.contains ? { contains: query.contains.slice(0, 200) } : {}), limit, offset },
    hidden,
  );
  return { total, observables: await withSightings(store, rows, hidden, (r) => r.strictestIncidentTlp) };
}

/** One observable by id, as the reader may see it; unknown and seen only in hidden incidents answer the same. */
export async function getObservable(store: OpenedStore, id: string, reader: Reader): Promise<Observable> {
  const hidden = await hiddenIncidents(store, reader);
  const { rows } = await listObservableRows(store.db, { ids: [id], limit: 1, offset: 0 }, hidden);
  const [observable] = await withSightings(store, rows, hidden, (r) => r.strictestIncidentTlp);
  if (!observable) throw new NotFoundError(`no observable "${id}"`);
  return observable;
}

/**
 * Adds an observable to an incident by hand (audited): created if new, else the stored one gains a
 * sighting in the incident. `ioc`, `tlp` and `tags` set its marks (they are global to the value).
 */
export async function addObservable(store: OpenedStore, incidentRef: string, input: ObservableAdd, reader: Reader): Promise<Observable> {
  const data = parseReviewInput(ObservableAddSchema, input, 'observable');
  const normalised = normaliseObservable(data.type, data.value);
  if (!normalised.ok) throw new InputError(normalised.error, { path: 'value' });
  const incidentId = await visibleIncidentId(store, incidentRef, reader);
  const id = observableId(data.type, normalised.value);
  const now = new Date().toISOString();
  await auditedWrite(store, { actor: reader.username, operation: 'observable.add' }, async (tx) => {
    const before = await getObservableRow(tx.db, id);
    const created = await insertObservableIfNew(tx.db, newObservableRow(id, data.type, normalised.value, 'manual', now));
    const stored = before ?? (await getObservableRow(tx.db, id));
    if (!stored) throw new Error(`observable ${id} was not stored`);
    const tags = [...new Set([...JSON.parse(stored.tags) as string[], ...(data.tags ?? [])])].sort();
    const marks = { ioc: data.ioc ?? stored.ioc === 1, tlp: data.tlp ?? stored.tlp, tags };
    if (created || data.ioc !== undefined || data.tlp !== undefined || data.tags?.length) await updateObservableMarks(tx.db, id, marks, reader.username, now);
    const sighted = await insertSightingIfNew(tx.db, { observableId: id, incidentId, alertId: null, at: data.at ? new Date(data.at).toISOString() : now, origin: 'manual', createdBy: reader.username });
    return {
      result: undefined,
      entityId: id,
      before: before ? { incidentId, type: before.type, value: before.value, ioc: before.ioc === 1, tlp: before.tlp, tags: JSON.parse(before.tags) as string[] } : null,
      after: { incidentId, type: data.type, value: normalised.value, ...marks, sightingAdded: sighted },
    };
  });
  return getObservable(store, id, reader);
}

/**
 * Changes an observable's marks (audited): tags added and removed, the IOC flag, its own TLP
 * (`tlp: null` returns it to the incidents' marking). `ref` is an observable id or a value (with
 * `type` when the value is valid for several types and more than one is stored).
 */
export async function markObservable(store: OpenedStore, ref: string, mark: ObservableMark, reader: Reader, type?: ObservableType): Promise<Observable> {
  const data = parseReviewInput(ObservableMarkSchema, mark, 'marks');
  const current = await resolveObservable(store, ref, reader, type);
  const now = new Date().toISOString();
  await auditedWrite(store, { actor: reader.username, operation: 'observable.mark' }, async (tx) => {
    const stored = await getObservableRow(tx.db, current.id);
    if (!stored) throw new NotFoundError(`no observable "${ref}"`);
    const had = JSON.parse(stored.tags) as string[];
    const removed = new Set(data.removeTags ?? []);
    const tags = [...new Set([...had, ...(data.addTags ?? [])])].filter((t) => !removed.has(t)).sort();
    const marks = { ioc: data.ioc ?? stored.ioc === 1, tlp: data.tlp === undefined ? stored.tlp : data.tlp, tags };
    await updateObservableMarks(tx.db, current.id, marks, reader.username, now);
    const incidentIds = [...new Set(current.sightings.map((s) => s.incidentId))];
    return {
      result: undefined,
      entityId: current.id,
      before: { type: stored.type, value: stored.value, ioc: stored.ioc === 1, tlp: stored.tlp, tags: had, incidentIds },
      after: { type: stored.type, value: stored.value, ...marks, incidentIds },
    };
  });
  return getObservable(store, current.id, reader);
}

/** The observable an id or a value names, as the reader may see it. */
export async function resolveObservable(store: OpenedStore, ref: string, reader: Reader, type?: ObservableType): Promise<Observable> {
  if (/^obs_[0-9a-f]{16}$/.test(ref)) return getObservable(store, ref, reader);
  const ids = observableIdsOfValue(ref, type);
  if (ids.length === 0) throw new InputError(`"${ref.slice(0, 80)}" is not an observable id (obs_...) or a value of ${type ? `type ${type}` : 'any observable type'}`);
  const hidden = await hiddenIncidents(store, reader);
  const { rows } = await listObservableRows(store.db, { ids, limit: 20, offset: 0 }, hidden);
  if (rows.length === 0) throw new NotFoundError(`no observable "${ref.slice(0, 80)}"`);
  if (rows.length > 1) throw new UsageError(`"${ref.slice(0, 80)}" is stored as ${rows.map((r) => r.type).join(' and ')}: name the type, or use the observable's id`);
  const [observable] = await withSightings(store, rows, hidden, (r) => r.strictestIncidentTlp);
  if (!observable) throw new NotFoundError(`no observable "${ref.slice(0, 80)}"`);
  return observable;
}

async function withSightings(store: OpenedStore, rows: ObservableListRow[], hidden: ReadonlySet<string>, inherited: (row: ObservableListRow) => TlpLevel): Promise<Observable[]> {
  const sightings = await sightingsOf(store.db, rows.map((r) => r.id), hidden, SIGHTINGS_SHOWN);
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    value: r.value,
    ioc: r.ioc,
    tlp: r.tlp ?? inherited(r),
    tlpSet: r.tlp !== null,
    tags: r.tags,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    source: r.origin,
    sightings: (sightings.get(r.id) ?? []).map((s) => ({ incidentId: s.incidentId, alertId: s.alertId, at: s.at, source: s.origin })),
    incidentCount: r.incidentCount,
    sightingCount: r.sightingCount,
  }));
}
