import type { AppliedTemplate, ReviewTask } from '../model/tasks.js';
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
  /** The review's tasks, and the template it follows (absent when not read). */
  tasks?: ReviewTask[];
  template?: AppliedTemplate | null;
}
