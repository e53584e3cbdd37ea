import type { Incident } from '../model/index.js';
import { UsageError } from '../model/errors.js';
import type { OpenedStore } from '../store/index.js';
import { incidentId } from '../store/ids.js';
import type { ImportSummary, IncidentStore, ImportedIncidentResult } from '../store/types.js';
import type { StoredIncidentVersion } from '../auth/import-audit.js';
import type { ReviewTables } from '../review/repo-schema.js';
import type { PolicyDecision } from '../review/policy.js';

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
 * Records per batch when a file is parsed a part at a time (NDJSON lines are parsed as batches are
 * taken). Small enough that most of a batch's objects die young (5,000 cost about 5% more CPU).
 */
const BATCH_RECORDS = 1_000;

/** How often a long import reports its progress. */
const PROGRESS_EVERY_MS = 5_000;

/**
 * Imports files of incidents or alerts: every file is parsed a batch of records at a time and
 * written as it is parsed, so a large export is never held in memory at once. All files, the review
 * states the policy sets and (with `audit`) the audit entry go in one transaction: a bad file (its
 * file, line or JSON path named), a refused incident or any other failure leaves the store as it
 * was. The store's import is idempotent.
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
    /** Called with Hindsight's ids of each batch's incidents before the batch is written; throwing refuses the whole import. */
    checkIncidents?: (ids: readonly string[]) => void | Promise<void>;
  } = {},
): Promise<ImportFilesResult> {
  const format = (options.format ?? 'auto') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${options.format}"`);
  if (files.length === 0) throw new UsageError('name at least one file to import');
  const { derivePartialIncident, parseFileInBatches } = await import('../ingest/index.js');
  // Load the review policy before writing anything, so a bad policy file fails the import cleanly.
  const { loadPolicy } = await import('../review/policy.js');
  const { policy } = loadPolicy({ file: options.policyFile, env: options.env });
  const { storedIncidentVersions, importAuditEntry } = await import('../auth/import-audit.js');
  const audit = options.audit;
  const perFile: ImportFilesResult['files'] = [];

  /** The files' incidents a batch at a time; before a batch is handed on, its ids are checked and (for the audit) their stored versions read. */
  async function* batches(db: OpenedStore['snake'] | undefined, before: Map<string, StoredIncidentVersion>): AsyncGenerator<Incident[]> {
    const looked = new Set<string>();
    const started = Date.now();
    let reported = started;
    for (const file of files) {
      const ids = new Set<string>();
      let alerts = 0;
      let detected = 'graph';
      for await (const batch of parseFileInBatches(file, format, BATCH_RECORDS)) {
        detected = batch.format;
        const batchIds = batch.incidents.map((i) => incidentId(i.source, i.sourceId));
        for (const id of batchIds) ids.add(id);
        for (const incident of batch.incidents) alerts += incident.alerts.length;
        if (options.checkIncidents) await options.checkIncidents([...new Set(batchIds)]);
        if (db && audit) {
          // Only an incident's first batch is read: in a later one it may already hold this import's writes.
          const unseen = [...new Set(batchIds.filter((id) => !looked.has(id)))];
          for (const id of unseen) looked.add(id);
          for (const [id, version] of await storedIncidentVersions(db, unseen)) before.set(id, version);
        }
        yield batch.incidents;
        // A long import says how far it has got, every few seconds.
        const now = Date.now();
        if (now - reported >= PROGRESS_EVERY_MS) {
          reported = now;
          options.onProgress?.(`${file}: ${alerts.toLocaleString('en-US')} alert(s) of ${ids.size.toLocaleString('en-US')} incident(s) so far (${Math.round((now - started) / 1000)} s)`);
        }
      }
      perFile.push({ file, format: detected, incidents: ids.size, alerts });
      options.onProgress?.(`${file}: ${detected}, ${ids.size} incident(s), ${alerts} alert(s)`);
    }
  }

  const write = async (target: IncidentStore) => {
    const db = 'snake' in target ? (target as OpenedStore).snake : undefined;
    const before = new Map<string, StoredIncidentVersion>();
    const { summary, results } = await target.importIncidentBatches(batches(db, before), { derivePartial: derivePartialIncident });
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
  const { summary, results, reviews } = 'transaction' in store ? await (store as OpenedStore).transaction(write, { bulk: true }) : await write(store);
  return { summary, results, files: perFile, ...(reviews ? { reviews } : {}) };
}

/**
 * Evaluates the review policy for every created or updated incident (and every incident that has
 * no review record yet) and sets its review to required or not-required, unless the review has
 * already progressed (draft, in review, approved, waived). Reads the few incident fields the policy
 * looks at, a chunk of incidents per query. Needs the store's database handle; a store without one
 * is left alone.
 */
async function applyReviewPolicy(
  store: IncidentStore,
  results: ImportedIncidentResult[],
  policy: import('../review/policy.js').ReviewPolicy,
): Promise<ImportFilesResult['reviews']> {
  if (!('snake' in store)) return undefined;
  const db = (store as OpenedStore).snake;
  const { ReviewRepository } = await import('../review/repo.js');
  const { evaluatePolicy } = await import('../review/policy.js');
  const repo = new ReviewRepository(db);
  const out: NonNullable<ImportFilesResult['reviews']> = [];
  for (let start = 0; start < results.length; start += POLICY_CHUNK) {
    const part = results.slice(start, start + POLICY_CHUNK);
    const reviewed = new Set(
      (await db.withTables<ReviewTables>().selectFrom('reviews').select('incident_id').where('incident_id', 'in', part.map((r) => r.id)).execute()).map((r) => r.incident_id),
    );
    const todo = part.filter((r) => r.outcome !== 'unchanged' || !reviewed.has(r.id));
    if (todo.length === 0) continue;
    const rows = await db
      .selectFrom('incidents')
      .select(['id', 'severity', 'tags', 'classification', 'determination'])
      .where('id', 'in', todo.map((r) => r.id))
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Incidents without a review record get theirs in one batch; the others go through applyPolicy,
    // which leaves a review that has progressed alone.
    const fresh: Array<{ incidentId: string; decision: PolicyDecision }> = [];
    for (const r of todo) {
      const row = byId.get(r.id);
      if (!row) continue;
      const decision = evaluatePolicy(policy, { severity: row.severity, tags: parseTags(row.tags), classification: row.classification, determination: row.determination });
      const rules = decision.matched.map((m) => m.rule);
      if (!reviewed.has(r.id)) {
        fresh.push({ incidentId: r.id, decision });
        out.push({ id: r.id, state: decision.required ? 'required' : 'not-required', required: decision.required, rules });
        continue;
      }
      const { state } = await repo.applyPolicy(r.id, decision);
      out.push({ id: r.id, state, required: decision.required, rules });
    }
    await repo.createReviewsByPolicy(fresh);
  }
  return out;
}

const POLICY_CHUNK = 500;

function parseTags(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
}
