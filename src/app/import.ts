import { DEFAULT_GROUPING, FORMAT_NAMES, parseFileInBatches, parseGroupBy, parseWindow, type GroupingOptions, type IngestFormat } from '../ingest/index.js';
import { reportTechniques, type TechniqueReport } from '../attack/crosswalk.js';
import type { KnowledgeBase } from '../attack/types.js';
import { UsageError } from '../model/errors.js';
import type { Incident } from '../model/incident.js';
import type { ReviewState } from '../model/review.js';
import { loadPolicy } from '../review/policy.js';
import { storedIncidentVersions, type StoredIncidentVersion } from '../store/incidents/index.js';
import { incidentId, type ImportedIncidentResult, type ImportSummary, type OpenedStore } from '../store/index.js';
import { importIncidentBatchesWithPolicy } from './import-batches.js';

/**
 * The grouping of alerts that name no incident, from the words a person gives (`--group-by host,user`,
 * `--window 1h`, `--incident-title TEXT`; the upload's query parameters of the same meaning).
 */
export function importGrouping(input: { groupBy?: string; window?: string; incidentTitle?: string }): GroupingOptions {
  if (input.incidentTitle !== undefined && input.incidentTitle.trim() === '') throw new UsageError('--incident-title must not be empty');
  return {
    groupBy: input.groupBy === undefined ? DEFAULT_GROUPING.groupBy : parseGroupBy(input.groupBy),
    windowMs: input.window === undefined ? DEFAULT_GROUPING.windowMs : parseWindow(input.window),
    incidentTitle: input.incidentTitle ?? null,
  };
}

export interface ImportFilesOptions {
  /** `auto` (the default) or one of FORMAT_NAMES. */
  format?: string;
  /** How alerts that name no incident are grouped (default: host and user in 1h windows); see src/ingest/grouping.ts. */
  grouping?: GroupingOptions;
  onProgress?: (message: string) => void;
  /** The review policy file (default: HINDSIGHT_POLICY in `env`, then the shipped one). */
  policyFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Record the import in the audit trail as this actor, naming these files (default: the paths given), in the import's transaction. */
  audit?: { actor: string; files?: readonly string[] };
  /** The loaded ATT&CK knowledge base, when there is one: the import reports technique IDs it knows only through the v18->v19 crosswalk, or not at all. */
  kb?: KnowledgeBase;
  /** Called with Hindsight's ids of each batch's incidents before the batch is written; throwing refuses the whole import. */
  checkIncidents?: (ids: readonly string[]) => void | Promise<void>;
}

export interface ImportFilesResult {
  summary: ImportSummary;
  results: ImportedIncidentResult[];
  /** The review state of each created or updated incident (and of each one without a review yet) after the review policy was applied. */
  reviews: { id: string; state: ReviewState; required: boolean; rules: string[] }[];
  files: { file: string; format: string; formats: string[]; incidents: number; alerts: number }[];
  /** The technique IDs the alerts carry (kept as sent), against the loaded ATT&CK version and the crosswalk. */
  techniques: TechniqueReport;
  /** One line per technique ID mapped back through the crosswalk or unknown (the CLI prints them on stderr). */
  techniqueWarnings: { message: string }[];
  /** What the files held that was imported but deserves a look: invalid UTF-8 (file and line), ids a file holds twice (file and id). */
  warnings: string[];
}

const FORMATS: readonly IngestFormat[] = ['auto', ...FORMAT_NAMES];

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
      const { imported, reviews } = await importIncidentBatchesWithPolicy(tx, read.batches(tx), policy, options.audit ? { actor: options.audit.actor, files: options.audit.files ?? files, before: read.before } : undefined);
      const techniques = reportTechniques(read.techniques, options.kb);
      return { summary: imported.summary, results: imported.results, reviews, files: read.files, techniques, techniqueWarnings: techniqueWarnings(techniques, options.kb), warnings: read.warnings };
    },
    { bulk: true },
  );
}

/** The files of one import read a batch at a time, with what the import reports of them. */
class FileReading {
  /** What each file held. */
  readonly files: ImportFilesResult['files'] = [];
  /** Every technique ID the alerts carry. */
  readonly techniques = new Set<string>();
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
      // An alert the file holds twice is counted once (ingest counts them, and warns of the id).
      let alerts = 0;
      let detected = 'graph';
      const formats = new Set<string>();
      const warn = (message: string) => {
        this.warnings.push(message);
        onProgress?.(`warning: ${message}`);
      };
      for await (const batch of parseFileInBatches(file, this.format, undefined, { grouping: this.options.grouping ?? DEFAULT_GROUPING, onWarning: warn })) {
        detected = batch.format;
        for (const f of batch.formats ?? []) formats.add(f);
        const batchIds = [...new Set(batch.incidents.map((i) => incidentId(i.source, i.sourceId)))];
        for (const id of batchIds) ids.add(id);
        alerts = batch.alertsSoFar;
        for (const incident of batch.incidents) for (const alert of incident.alerts) for (const t of alert.techniques) this.techniques.add(t);
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
          onProgress?.(`${file}: ${alerts.toLocaleString('en-US')} alert(s) of ${ids.size.toLocaleString('en-US')} incident(s) so far (${Math.round((now - started) / 1000)} s)`);
        }
      }
      this.files.push({ file, format: detected, formats: [...formats], incidents: ids.size, alerts });
      onProgress?.(`${file}: ${detected}, ${ids.size} incident(s), ${alerts} alert(s)`);
    }
  }
}

/** What a person is told of technique IDs the loaded ATT&CK version does not have. */
function techniqueWarnings(report: TechniqueReport, kb: KnowledgeBase | undefined): { message: string }[] {
  const version = kb ? `ATT&CK ${kb.meta.version}` : 'the ATT&CK crosswalk';
  return [
    ...report.mapped.map((m) => ({ message: `technique ${m.id} is newer than ${version}: read as ${m.to} (v18->v19 crosswalk); kept as ${m.id} on the alerts` })),
    ...report.unknown.map((id) => ({ message: `technique ${id} is not in ${version}: kept as sent on the alerts` })),
  ];
}
