import type { ActionItem, Finding, ManualTimelineEvent, ReviewAnswer, ReviewRecord, ReviewSection, TimelineAnnotation } from '../model/review.js';

/** Everything stored about one incident's review. */
export interface ReviewContent {
  review: ReviewRecord;
  sections: ReviewSection[];
  answers: ReviewAnswer[];
  manualEvents: ManualTimelineEvent[];
  annotations: TimelineAnnotation[];
  findings: Finding[];
  actions: ActionItem[];
}
