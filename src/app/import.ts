import { derivePartialIncident, parseFileInBatches, type IngestFormat } from '../ingest/index.js';
import { UsageError } from '../model/errors.js';
import type { Incident } from '../model/incident.js';
import type { ReviewState } from '../model/review.js';
import { evaluatePolicy, loadPolicy, type PolicyDecision, type ReviewPolicy } from '../review/policy.js';
import { storedIncidentVersions, type StoredIncidentVersion } from '../store/incidents/index.js';
import { incidentId, type ImportedIncidentResult, type ImportResult, type ImportSummary, type OpenedStore } from '../store/index.js';
import { incidentsWithReview } from '../store/reviews/records.js';
import { appendAudit } from './audit.js';
import { importAuditChange } from './import-audit.js';
import { applyReviewPolicy } from './review/policy.js';

export interface ImportFilesOptions {
  /** `auto` (the default), `graph` or `m365d`. */
  format?: string;
  onProgress?: (message: string) => void;
  /** The review policy file (default: HINDSIGHT_POLICY in `env`, then the shipped one). */
  policyFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Record the import in the audit trail as this actor, naming these files (default: the paths given), in the import's transaction. */
  audit?: { actor: string; files?: readonly string[] };
  /** Called with Hindsight's ids of each batch's incidents before the batch is written; throwing refuses the whole import. */
  checkIncidents?: (ids: readonly string[]) => void | Promise<void>;
}

export interface ImportFilesResult {
  summary: ImportSummary;
  results: ImportedIncidentResult[];
  /** The review state of each created or updated incident (and of each one without a review yet) after the review policy was applied. */
  reviews: { id: string; state: ReviewState; required: boolean; rules: string[] }[];
  files: { file: string; format: string; incidents: number; alerts: number }[];
  /** What the files held that was imported but deserves a look: invalid UTF-8 (file and line), ids a file holds twice (file and id). */
  warnings: string[];
}

const FORMATS: readonly IngestFormat[] = ['auto', 'graph', 'm365d'];

/** Incidents looked up per query. */
const LOOKUP_CHUNK = 500;

/** How often a long import reports its progress. */
const PROGRESS_EVERY_MS = 5_000;

/**
 * Imports files of incidents or alerts (`hindsight import`, the server's upload): every file is
 * parsed a batch of records at a time and written as it is parsed, so a large export is never held
 * in memory at once. All files, the review states the policy sets and (with `audit`) the audit
 * entry go in one transaction: a bad file (its file, line or JSON path named), a refused incident
 * or any other failure leaves the store as it was. The store's import is idempotent.
 */
export async function importFiles(store: OpenedStore, files: readonly string[], options: ImportFilesOptions = {}): Promise<ImportFilesResult> {
  const format = FORMATS.find((f) => f === (options.format ?? 'auto'));
  if (!format) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${options.format}"`);
  if (files.length === 0) throw new UsageError('name at least one file to import');
  // The review policy is loaded before anything is written, so a bad policy file fails the import cleanly.
  const { policy } = loadPolicy({ file: options.policyFile, env: options.env });
  const read = new FileReading(files, format, options);
  // The incidents, the review states the policy sets and the audit entry: one transaction.
  return store.transaction(
    async (tx) => {
      const imported = await tx.importIncidentBatches(read.batches(tx), { derivePartial: derivePartialIncident });
      const reviews = await applyReviewPolicy(tx, await policyDecisions(tx, policy, imported));
      if (options.audit) {
        const after = await storedIncidentVersions(tx.db, imported.results.filter((r) => r.outcome !== 'unchanged').map((r) => r.id));
        const change = importAuditChange(options.audit.files ?? files, imported, read.before, after);
        if (change) await appendAudit(tx, { actor: options.audit.actor, operation: 'incident.import' }, change);
      }
      return { summary: imported.summary, results: imported.results, reviews, files: read.files, warnings: read.warnings };
    },
    { bulk: true },
  );
}

/**
 * The review policy's decision for every created or updated incident, and every incident that has
 * no review record yet, taken from the incident's fields as the import left them (the parsed
 * record it wrote, the stored record it kept, or a partial incident's fields derived again).
 */
async function policyDecisions(tx: OpenedStore, policy: ReviewPolicy, imported: ImportResult): Promise<{ incidentId: string; decision: PolicyDecision }[]> {
  const unchanged = imported.results.filter((r) => r.outcome === 'unchanged').map((r) => r.id);
  const reviewed = new Set<string>();
  for (let i = 0; i < unchanged.length; i += LOOKUP_CHUNK) for (const id of await incidentsWithReview(tx.db, unchanged.slice(i, i + LOOKUP_CHUNK))) reviewed.add(id);
  const decisions: { incidentId: string; decision: PolicyDecision }[] = [];
  for (const { id, outcome } of imported.results) {
    if (outcome === 'unchanged' && reviewed.has(id)) continue;
    const triage = imported.triage.get(id);
    if (triage) decisions.push({ incidentId: id, decision: evaluatePolicy(policy, triage) });
  }
  return decisions;
}

/** The files of one import read a batch at a time, with what the import reports of them. */
class FileReading {
  /** What each file held. */
  readonly files: ImportFilesResult['files'] = [];
  /** Warnings of the files read (also given to onProgress as they come). */
  readonly warnings: string[] = [];
  /** The stored version of each incident before the import (for the audit entry). */
  readonly before = new Map<string, StoredIncidentVersion>();

  constructor(
    private readonly paths: readonly string[],
    private readonly format: IngestFormat,
    private readonly options: ImportFilesOptions,
  ) {}

  /** The files' incidents a batch at a time; before a batch is handed on, its ids are checked and (for the audit) their stored versions read. */
  async *batches(tx: OpenedStore): AsyncGenerator<Incident[]> {
    const { onProgress, checkIncidents, audit } = this.options;
    const looked = new Set<string>();
    const started = Date.now();
    let reported = started;
    for (const file of this.paths) {
      const ids = new Set<string>();
      // An alert the file holds twice is counted once (its id is warned about by ingest).
      const alertIds = new Set<string>();
      let detected = 'graph';
      const warn = (message: string) => {
        this.warnings.push(message);
        onProgress?.(`warning: ${message}`);
      };
      for await (const batch of parseFileInBatches(file, this.format, undefined, warn)) {
        detected = batch.format;
        const batchIds = [...new Set(batch.incidents.map((i) => incidentId(i.source, i.sourceId)))];
        for (const id of batchIds) ids.add(id);
        for (const incident of batch.incidents) for (const alert of incident.alerts) alertIds.add(`${incident.source}\u0000${alert.sourceId}`);
        if (checkIncidents) await checkIncidents(batchIds);
        if (audit) {
          // Only an incident's first batch is read: in a later one it may already hold this import's writes.
          const unseen = batchIds.filter((id) => !looked.has(id));
          for (const id of unseen) looked.add(id);
          for (const [id, version] of await storedIncidentVersions(tx.db, unseen)) this.before.set(id, version);
        }
        yield batch.incidents;
        // A long import says how far it has got, every few seconds.
        const now = Date.now();
        if (now - reported >= PROGRESS_EVERY_MS) {
          reported = now;
          onProgress?.(`${file}: ${alertIds.size.toLocaleString('en-US')} alert(s) of ${ids.size.toLocaleString('en-US')} incident(s) so far (${Math.round((now - started) / 1000)} s)`);
        }
      }
      this.files.push({ file, format: detected, incidents: ids.size, alerts: alertIds.size });
      onProgress?.(`${file}: ${detected}, ${ids.size} incident(s), ${alertIds.size} alert(s)`);
    }
  }
}
