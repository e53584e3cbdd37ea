import { createHash } from 'node:crypto';
import type { AttributionCache } from '../app/attribution.js';
import { reviewDocument, type ReviewDocumentInputs } from '../app/review-document.js';
import type { KnowledgeBase } from '../attack/types.js';
import type { StoredIncident } from '../model/index.js';
import type { ReviewReport } from '../review/report.js';

/**
 * The finished review of recently viewed incidents. Building one (timeline, technique map,
 * entities, attribution, generated sections, Detection) costs tens of milliseconds; a team opens the
 * same incidents again and again. The key is the incident as imported and a digest of everything
 * stored about its review (confirmations and the rules read included), so any write or re-import
 * gives a fresh document; entries also expire after `ttlMs` so that time-dependent parts (overdue
 * action items, generatedAt) stay current. The document itself is the one every front end gets
 * (`app/review-document.ts`).
 */
export class ReportCache {
  private readonly entries = new Map<string, { key: string; report: ReviewReport; at: number }>();

  constructor(
    private readonly kb: KnowledgeBase,
    /** Where the attribution of the review comes from (stored per content of the incident). */
    private readonly attribution: AttributionCache,
    private readonly maxEntries = 500,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  async get(incident: StoredIncident, inputs: Omit<ReviewDocumentInputs, 'actors'>): Promise<ReviewReport> {
    const key = createHash('sha1')
      .update(incident.importedAt)
      .update(incident.updatedAt)
      .update(JSON.stringify(inputs.content))
      .update(inputs.confirmedTechniques.join(','))
      .update(inputs.rules?.source ?? '')
      .update((inputs.dismissals ?? []).map((d) => d.techniqueId).join(','))
      .digest('hex');
    const now = Date.now();
    const hit = this.entries.get(incident.id);
    if (hit && hit.key === key && now - hit.at < this.ttlMs) {
      // Most recently used last.
      this.entries.delete(incident.id);
      this.entries.set(incident.id, hit);
      return hit.report;
    }
    const actors = await this.attribution.actorsFor(incident);
    const report = reviewDocument(incident, this.kb, { ...inputs, actors }, new Date(now));
    this.entries.delete(incident.id);
    this.entries.set(incident.id, { key, report, at: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return report;
  }
}
