import type { IncidentActors } from '../analysis/attribution/from-incident.js';
import { detectionForIncident } from '../analysis/coverage/detection.js';
import type { KnowledgeBase } from '../attack/types.js';
import type { StoredIncident } from '../model/index.js';
import { buildFullReview } from '../review/full-report.js';
import type { ReviewContent } from '../review/content.js';
import type { ReviewReport } from '../review/report.js';
import type { OpenedStore } from '../store/index.js';
import { AttributionCache } from './attribution.js';
import { confirmedTechniqueIds, loadReviewContent } from './review/content.js';
import type { RuleIndex } from './rule-index.js';
import { inferForStoredIncident } from './inference.js';
import { listDismissals, type InferenceDismissal } from '../store/rules/dismissals.js';

/** Everything stored about an incident's review that its document shows, read by the caller. */
export interface ReviewDocumentInputs {
  /** The stored review: record, sections, answers, hand-written events, annotations, findings, actions. */
  content: ReviewContent;
  /** The techniques the review confirmed without an alert (the Detection section's "missed"). */
  confirmedTechniques: readonly string[];
  /** The team's rule inventory per technique, when the front end was given one. */
  rules: RuleIndex | null;
  /** The incident's attribution as stored for its current content (computed in place without it). */
  actors?: IncidentActors;
  /** Inferred techniques analysts dismissed for the incident (left out of "probably also happened"). */
  dismissals?: readonly InferenceDismissal[];
}

/** Inferred techniques the Detection section lists. */
const PROBABLY_ALSO_HAPPENED = 8;

/**
 * The post-incident review of one incident, the same whichever front end asks: the evidence-backed
 * report, the stored review merged in, the Detection section (alerts per technique, techniques the
 * review confirmed but no alert showed, rules per technique) and the attribution.
 */
export function reviewDocument(incident: StoredIncident, kb: KnowledgeBase, inputs: ReviewDocumentInputs, now: Date = new Date()): ReviewReport {
  const report = buildFullReview(incident, kb, inputs.content, now, inputs.actors ? { actors: inputs.actors } : {});
  const inferred = inferForStoredIncident(kb, incident, { confirmed: inputs.confirmedTechniques, dismissals: inputs.dismissals ?? [], top: PROBABLY_ALSO_HAPPENED, rules: inputs.rules });
  report.detection = {
    ...detectionForIncident(incident, kb, inputs.rules?.index ?? null, [...inputs.confirmedTechniques]),
    rulesSource: inputs.rules?.source ?? null,
    probablyAlsoHappened: {
      techniques: inferred.techniques.map((t) => ({ id: t.id, name: t.name, tactics: t.tactics, score: t.score, because: t.because, rules: inputs.rules ? t.rules : null, dataSources: t.dataSources })),
      note: inferred.note,
      dismissed: inferred.dismissed.map((d) => d.techniqueId),
    },
  };
  return report;
}

/** What the document needs from the store, read together. */
export async function storedReviewInputs(store: OpenedStore, incidentId: string, rules: RuleIndex | null): Promise<Omit<ReviewDocumentInputs, 'actors'>> {
  const [content, confirmedTechniques, dismissals] = await Promise.all([loadReviewContent(store, incidentId), confirmedTechniqueIds(store, incidentId), listDismissals(store.db, incidentId)]);
  return { content, confirmedTechniques, rules, dismissals };
}

/**
 * The review document of a stored incident: its stored review, confirmations and the attribution
 * stored for its current content (computed and stored when missing or stale).
 */
export async function loadReviewDocument(
  store: OpenedStore,
  kb: KnowledgeBase,
  incident: StoredIncident,
  options: { rules: RuleIndex | null; attribution?: AttributionCache; now?: Date },
): Promise<ReviewReport> {
  const inputs = await storedReviewInputs(store, incident.id, options.rules);
  const actors = await (options.attribution ?? new AttributionCache(store, kb)).actorsFor(incident);
  return reviewDocument(incident, kb, { ...inputs, actors }, options.now);
}
