import type { Incident } from '../model/index.js';
import { UsageError } from '../model/errors.js';
import type { OpenedStore } from '../store/index.js';
import { incidentId } from '../store/ids.js';
import type { ImportSummary, IncidentStore, ImportedIncidentResult } from '../store/types.js';

export interface ImportFilesResult {
  summary: ImportSummary;
  results: ImportedIncidentResult[];
  /** The review state of each created or updated incident after the review policy was applied. */
  reviews?: { id: string; state: string; required: boolean; rules: string[] }[];
  files: { file: string; format: string; incidents: number; alerts: number }[];
}

const FORMATS = ['auto', 'graph', 'm365d'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Parses every file first and writes nothing unless all of them parse: a bad file fails the whole
 * call with its file, line or JSON path, and the store is left as it was. Then writes all records,
 * the review states the policy sets and (with `audit`) the audit entry in one transaction (the
 * store's import is idempotent).
 */
export async function importFiles(
  store: IncidentStore,
  files: string[],
  options: {
    format?: string;
    onProgress?: (message: string) => void;
    policyFile?: string;
    env?: NodeJS.ProcessEnv;
    /** Record the import in the audit trail as this actor, naming these files (default: the paths given), in the import's transaction. */
    audit?: { actor: string; files?: string[] };
    /** Called with Hindsight's ids of the parsed incidents before anything is written; throwing refuses the whole import. */
    checkIncidents?: (ids: readonly string[]) => void | Promise<void>;
  } = {},
): Promise<ImportFilesResult> {
  const format = (options.format ?? 'auto') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${options.format}"`);
  if (files.length === 0) throw new UsageError('name at least one file to import');
  const { parseFile } = await import('../ingest/index.js');
  const incidents: Incident[] = [];
  const perFile: ImportFilesResult['files'] = [];
  for (const file of files) {
    const parsed = await parseFile(file, format);
    const alerts = parsed.incidents.reduce((n, i) => n + i.alerts.length, 0);
    perFile.push({ file, format: parsed.format, incidents: parsed.incidents.length, alerts });
    options.onProgress?.(`${file}: ${parsed.format}, ${parsed.incidents.length} incident(s), ${alerts} alert(s)`);
    for (const incident of parsed.incidents) incidents.push(incident);
  }
  // Load the review policy before writing anything, so a bad policy file fails the import cleanly.
  const { loadPolicy } = await import('../review/policy.js');
  const { policy } = loadPolicy({ file: options.policyFile, env: options.env });
  if (options.checkIncidents) await options.checkIncidents([...new Set(incidents.map((i) => incidentId(i.source, i.sourceId)))]);
  const audit = options.audit;
  const write = async (target: IncidentStore) => {
    const db = 'db' in target ? (target as OpenedStore).db : undefined;
    const { storedIncidentVersions, importAuditEntry } = await import('../auth/import-audit.js');
    const ids = audit && db ? incidents.map((i) => incidentId(i.source, i.sourceId)) : [];
    const before = db && audit ? await storedIncidentVersions(db, ids) : new Map();
    const { summary, results } = await target.importIncidents(incidents);
    const reviews = await applyReviewPolicy(target, results, policy);
    if (db && audit) {
      const after = await storedIncidentVersions(db, results.filter((r) => r.outcome !== 'unchanged').map((r) => r.id));
      const entry = importAuditEntry(audit.actor, audit.files ?? files, { summary, results }, before, after);
      if (entry) {
        const { recordAudit } = await import('../auth/audit.js');
        await recordAudit(db, entry);
      }
    }
    return { summary, results, reviews };
  };
  // The incidents, the review states the policy sets and the audit entry: one transaction.
  const { summary, results, reviews } = 'transaction' in store ? await (store as OpenedStore).transaction(write) : await write(store);
  return { summary, results, files: perFile, ...(reviews ? { reviews } : {}) };
}

/**
 * Evaluates the review policy for every created or updated incident and sets its review to
 * required or not-required, unless the review has already progressed (draft, in review, approved,
 * waived). Needs the store's database handle; a store without one is left alone.
 */
async function applyReviewPolicy(
  store: IncidentStore,
  results: ImportedIncidentResult[],
  policy: import('../review/policy.js').ReviewPolicy,
): Promise<ImportFilesResult['reviews']> {
  if (!('db' in store)) return undefined;
  const { ReviewRepository } = await import('../review/repo.js');
  const { evaluatePolicy } = await import('../review/policy.js');
  const repo = new ReviewRepository((store as OpenedStore).db);
  const out: NonNullable<ImportFilesResult['reviews']> = [];
  for (const r of results) {
    const existing = await repo.getReview(r.id);
    if (r.outcome === 'unchanged' && existing) continue;
    const incident = await store.getIncident(r.id);
    if (!incident) continue;
    const decision = evaluatePolicy(policy, incident);
    const { state } = await repo.applyPolicy(r.id, decision);
    out.push({ id: r.id, state, required: decision.required, rules: decision.matched.map((m) => m.rule) });
  }
  return out;
}
