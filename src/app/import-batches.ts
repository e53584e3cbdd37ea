import { derivePartialFields } from '../ingest/index.js';
import type { Incident } from '../model/incident.js';
import type { ReviewState } from '../model/review.js';
import { evaluatePolicy, type PolicyDecision, type ReviewPolicy } from '../review/policy.js';
import { storedIncidentVersions, type StoredIncidentVersion } from '../store/incidents/index.js';
import { incidentId, type ImportResult, type OpenedStore } from '../store/index.js';
import { incidentsWithReview } from '../store/reviews/records.js';
import { appendAudit } from './audit.js';
import { importAuditChange } from './import-audit.js';
import { applyReviewPolicy } from './review/policy.js';

/** Incidents looked up per query. */
const LOOKUP_CHUNK = 500;

export type PolicyReview = { id: string; state: ReviewState; required: boolean; rules: string[] };

export interface ImportAudit {
  actor: string;
  /** What the import read: file paths, or `connector:<name>` with the request. */
  files: readonly string[];
  /** The stored version of each incident before the import, when the caller read it batch by batch; read here otherwise. */
  before?: ReadonlyMap<string, StoredIncidentVersion>;
}

/**
 * The one way incidents enter the store, whether from files (`hindsight import`, an upload) or
 * from a connector's page: the batches are written (idempotent, partial incidents merged), the
 * review policy decides each created, updated or not yet reviewed incident's review, and (with
 * `audit`) the audit trail records what changed. Runs in the caller's transaction (`tx`), so the
 * caller decides what commits together.
 */
export async function importIncidentBatchesWithPolicy(
  tx: OpenedStore,
  batches: Iterable<Incident[]> | AsyncIterable<Incident[]>,
  policy: ReviewPolicy,
  audit?: ImportAudit,
): Promise<{ imported: ImportResult; reviews: PolicyReview[] }> {
  let before = audit?.before;
  let source = batches;
  if (audit && !before) {
    // Read each batch's stored versions before the batch is written.
    const seen = new Map<string, StoredIncidentVersion>();
    before = seen;
    source = withVersionsRead(tx, batches, seen);
  }
  const imported = await tx.importIncidentBatches(source, { derivePartial: derivePartialFields });
  const reviews = await applyReviewPolicy(tx, await policyDecisions(tx, policy, imported));
  if (audit && before) {
    const after = await storedIncidentVersions(tx.db, imported.results.filter((r) => r.outcome !== 'unchanged').map((r) => r.id));
    const change = importAuditChange(audit.files, imported, before, after);
    if (change) await appendAudit(tx, { actor: audit.actor, operation: 'incident.import' }, change);
  }
  return { imported, reviews };
}

async function* withVersionsRead(tx: OpenedStore, batches: Iterable<Incident[]> | AsyncIterable<Incident[]>, into: Map<string, StoredIncidentVersion>): AsyncGenerator<Incident[]> {
  for await (const batch of batches) {
    const ids = [...new Set(batch.map((i) => incidentId(i.source, i.sourceId)))].filter((id) => !into.has(id));
    for (const [id, version] of await storedIncidentVersions(tx.db, ids)) into.set(id, version);
    yield batch;
  }
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
