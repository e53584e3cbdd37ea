/**
 * Shared intelligence in: `hindsight intel import` and the API's upload read partners' STIX 2.1
 * bundles and MISP events, store their indicators (with source file, producer, TLP and what
 * Hindsight can evaluate of each), and report where the observables they describe were seen. The
 * match is a join at read time, so incidents imported later are matched as soon as they are stored.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readIntelDocument, type ParsedIndicator } from '../analysis/intel/read-intel.js';
import { canonicalJson } from '../model/canonical-json.js';
import { escapeText, unescapeText } from '../model/text-escape.js';
import type { Reader } from '../model/accounts.js';
import { InputError, UsageError } from '../model/errors.js';
import type { IntelImportReport, IntelIndicator, IntelSighting } from '../model/intel.js';
import { observableId } from '../model/observable-values.js';
import type { OpenedStore } from '../store/index.js';
import { indicatorRows, listIndicatorRows, termMatches, upsertIndicators, type IndicatorWrite, type TermMatch } from '../store/intel/index.js';
import type { IntelIndicatorsTable, IntelTermsTable } from '../store/index.js';
import { hiddenIncidents } from './accounts/incident-access.js';
import { auditedWrite } from './audit.js';

/** Largest intelligence file read (a MISP or STIX export of a large feed stays well under it). */
export const MAX_INTEL_FILE_BYTES = 256 * 1024 * 1024;

export interface IntelImportResult extends IntelImportReport {
  created: number;
  updated: number;
  unchanged: number;
  /** The indicators of the files Hindsight cannot evaluate (wholly or in part), with why. */
  unevaluable: IntelIndicator[];
}

/** A document already read (the API's upload): its name for messages and its JSON text. */
export interface IntelDocument {
  name: string;
  text: string;
}

/**
 * Imports the indicators of STIX 2.1 bundles and MISP events (files by path, or documents already
 * read) in one transaction, audited. Every file is read and checked before anything is written: a
 * bad file refuses the whole import (InputError naming the file and JSON path). Re-importing the
 * same content changes nothing. `actor`: who imports (a name, or the reader whose view of restricted
 * incidents the reported sightings follow).
 */
export async function importIntel(store: OpenedStore, files: readonly (string | IntelDocument)[], actor: Reader | string): Promise<IntelImportResult> {
  if (files.length === 0) throw new UsageError('name at least one STIX 2.1 bundle or MISP event file');
  const reader: Reader = typeof actor === 'string' ? { username: actor, role: 'admin' } : actor;
  const parsed = new Map<string, { indicator: ParsedIndicator; file: string }>();
  for (const file of files) {
    const doc = typeof file === 'string' ? await readJsonFile(file) : { name: file.name, value: parseJson(file.text, file.name) };
    for (const indicator of readIntelDocument(doc.value, doc.name)) parsed.set(indicatorId(indicator.format, indicator.externalId), { indicator, file: doc.name });
  }
  const now = new Date().toISOString();
  const writes = [...parsed.entries()].map(([id, { indicator, file }]) => indicatorWrite(id, indicator, file, reader.username, now));
  const fileNames = files.map((f) => (typeof f === 'string' ? f : f.name));
  const counts = await auditedWrite(store, { actor: reader.username, operation: 'intel.import' }, async (tx) => {
    const result = await upsertIndicators(tx.db, writes);
    return { result, entityId: fileNames.map((f) => basename(f)).join(', ').slice(0, 500), after: { files: fileNames, indicators: writes.length, ...result } };
  });
  const ids = writes.map((w) => w.row.id);
  const stored = new Map((await indicatorRows(store.db, ids)).map((r) => [r.id, indicatorOf(r)]));
  const sightings = await sightingsFor(store, ids, reader, stored);
  const unevaluable = ids.map((id) => stored.get(id)).filter((i): i is IntelIndicator => i !== undefined && i.evaluation !== 'evaluable');
  return { indicators: writes.length, sightings, ...counts, unevaluable };
}

/** Where the observables of stored indicators were seen (every stored indicator, or those named), in the incidents the reader may see. */
export async function intelSightings(store: OpenedStore, reader: Reader, indicatorIds?: readonly string[]): Promise<IntelSighting[]> {
  return sightingsFor(store, indicatorIds, reader, undefined);
}

/** Stored indicators, newest import first; `evaluation` narrows to those (not) evaluable. */
export async function listIndicators(store: OpenedStore, filter: { evaluation?: IntelIndicator['evaluation']; limit?: number; offset?: number } = {}): Promise<{ total: number; indicators: IntelIndicator[] }> {
  const limit = filter.limit ?? 100;
  const offset = filter.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('limit must be a whole number from 1 to 1000');
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError('offset must be a whole number, 0 or more');
  const { total, rows } = await listIndicatorRows(store.db, { ...(filter.evaluation ? { evaluation: filter.evaluation } : {}), limit, offset });
  return { total, indicators: rows.map(indicatorOf) };
}

async function sightingsFor(store: OpenedStore, ids: readonly string[] | undefined, reader: Reader, known: Map<string, IntelIndicator> | undefined): Promise<IntelSighting[]> {
  const hidden = await hiddenIncidents(store, reader);
  const incidents = matchedIncidents(await termMatches(store.db, ids, hidden));
  const matched = [...incidents.keys()].sort();
  const indicators = known ?? new Map((await indicatorRows(store.db, matched)).map((r) => [r.id, indicatorOf(r)]));
  return matched.flatMap((id) => {
    const indicator = indicators.get(id);
    return indicator ? [{ indicator, incidents: [...(incidents.get(id) ?? [])].sort() }] : [];
  });
}

/**
 * The incidents each indicator matches: a clause of one term wherever its observable was seen; a
 * clause of several where all its terms were seen in the same alert.
 */
export function matchedIncidents(matches: readonly TermMatch[]): Map<string, Set<string>> {
  const byClauseAlert = new Map<string, { indicatorId: string; incidentId: string; size: number; terms: Set<number> }>();
  const out = new Map<string, Set<string>>();
  const add = (indicatorId: string, incidentId: string) => {
    const set = out.get(indicatorId) ?? new Set<string>();
    set.add(incidentId);
    out.set(indicatorId, set);
  };
  for (const m of matches) {
    if (m.clauseSize === 1) {
      add(m.indicatorId, m.incidentId);
      continue;
    }
    if (m.alertId === null) continue;
    const key = `${m.indicatorId}\u0000${m.clause}\u0000${m.alertId}`;
    const entry = byClauseAlert.get(key) ?? { indicatorId: m.indicatorId, incidentId: m.incidentId, size: m.clauseSize, terms: new Set<number>() };
    entry.terms.add(m.term);
    byClauseAlert.set(key, entry);
  }
  for (const entry of byClauseAlert.values()) if (entry.terms.size === entry.size) add(entry.indicatorId, entry.incidentId);
  return out;
}

function indicatorId(format: string, externalId: string): string {
  return `ind_${createHash('sha256').update(`${format}\u0000${externalId}`).digest('hex').slice(0, 16)}`;
}

function indicatorWrite(id: string, p: ParsedIndicator, file: string, actor: string, now: string): IndicatorWrite {
  const content = { ...p, sourceFile: basename(file) };
  const terms: IntelTermsTable[] = p.clauses.flatMap((clause, c) =>
    clause.flatMap((term, t) => term.alternatives.map((alt) => ({ indicatorId: id, clause: c, term: t, clauseSize: clause.length, type: alt.type, value: alt.value, observableId: observableId(alt.type, alt.value) }))),
  );
  // A partner's text may hold what a database cannot (U+0000, lone surrogates): kept by Hindsight's reversible escape.
  const safe = (t: string | null) => (t === null ? null : escapeText(t));
  const row: IntelIndicatorsTable = {
    id,
    format: p.format,
    externalId: escapeText(p.externalId),
    name: safe(p.name),
    pattern: escapeText(p.pattern),
    patternType: escapeText(p.patternType),
    evaluation: p.evaluation,
    reason: p.reasons.length ? escapeText(p.reasons.map((r) => r.replace(/\n/g, ' ')).join('\n')) : null,
    tlp: p.tlp,
    producer: safe(p.producer),
    sourceFile: escapeText(basename(file)),
    validFrom: safe(p.validFrom),
    validUntil: safe(p.validUntil),
    labels: JSON.stringify(p.labels.map(escapeText)) as IntelIndicatorsTable['labels'],
    importedAt: now,
    importedBy: actor,
    contentHash: createHash('sha256').update(canonicalJson(content)).digest('base64url'),
  };
  return { row, terms };
}

function indicatorOf(r: IntelIndicatorsTable): IntelIndicator {
  const read = (t: string | null) => (t === null ? null : unescapeText(t));
  return {
    id: r.id,
    format: r.format === 'misp' ? 'misp' : 'stix',
    externalId: unescapeText(r.externalId),
    name: read(r.name),
    pattern: unescapeText(r.pattern),
    patternType: unescapeText(r.patternType),
    evaluation: r.evaluation,
    reasons: r.reason ? unescapeText(r.reason).split('\n') : [],
    tlp: r.tlp,
    producer: read(r.producer),
    sourceFile: unescapeText(r.sourceFile),
    validFrom: read(r.validFrom),
    validUntil: read(r.validUntil),
    labels: (JSON.parse(r.labels) as string[]).map(unescapeText),
    importedAt: r.importedAt,
  };
}

async function readJsonFile(file: string): Promise<{ name: string; value: unknown }> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError('not a file', { file });
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file });
  }
  if (size > MAX_INTEL_FILE_BYTES) throw new InputError(`larger than ${MAX_INTEL_FILE_BYTES / 1024 / 1024} MB`, { file });
  return { name: file, value: parseJson(await readFile(file, 'utf8'), file) };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : 'invalid';
    throw new InputError(`not JSON (${message?.slice(0, 200)})`, { file, path: '$' });
  }
}
