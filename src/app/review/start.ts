import type { StoredIncident } from '../../model/index.js';
import type { ReviewRecord } from '../../model/review.js';
import type { ReviewTemplate } from '../../review/templates.js';
import type { OpenedStore } from '../../store/index.js';
import { startReview } from './lifecycle.js';
import { applyTemplateByRule } from './templates.js';
import type { ReviewWrite } from './write.js';

/**
 * Starts the review's draft and, unless the review already follows a template, applies the one
 * the incident's rule picks (its sections, questions and tasks), in one transaction: the review
 * never starts without the template it should follow, nor gets a template without starting.
 */
export async function startReviewWithTemplate(store: OpenedStore, incident: StoredIncident, templates: readonly ReviewTemplate[], write: ReviewWrite): Promise<ReviewRecord> {
  return store.transaction(async (tx) => {
    const record = await startReview(tx, incident.id, write);
    await applyTemplateByRule(tx, incident, templates, { actor: write.actor });
    return record;
  });
}
