import { z } from 'zod';
import {
  ActionItemSchema,
  FindingSchema,
  ListedActionItemSchema,
  ManualTimelineEventSchema,
  ReviewAnswerSchema,
  ReviewChangeSchema,
  ReviewRecordSchema,
  ReviewSectionSchema,
  TimelineAnnotationSchema,
} from '../../model/review.js';
import { nameSchema } from './registry.js';

nameSchema(ReviewRecordSchema, 'ReviewRecord', "The review of one incident: its state and sign-off.");
nameSchema(ReviewSectionSchema, 'ReviewSection', 'A stored section of the review.');
nameSchema(ReviewAnswerSchema, 'ReviewAnswer', 'A stored answer to a lessons-learned question.');
nameSchema(FindingSchema, 'Finding');
nameSchema(ActionItemSchema, 'ActionItem');
nameSchema(ManualTimelineEventSchema, 'ManualTimelineEvent', 'A hand-written timeline event.');
nameSchema(TimelineAnnotationSchema, 'TimelineAnnotation', 'The review\'s annotation of an event derived from the data.');
nameSchema(ReviewChangeSchema, 'ReviewChange', 'One recorded change of the review.');

export { ActionItemSchema, FindingSchema, ManualTimelineEventSchema, ReviewAnswerSchema, ReviewChangeSchema, ReviewRecordSchema, ReviewSectionSchema, TimelineAnnotationSchema };

/** What deleting a hand-written timeline event answers. */
export const DeletedEventSchema = z.object({ deleted: z.string().describe('the id of the deleted event') });

/** What deleting a finding or an action item answers. */
export const DeletedSchema = z.object({ deleted: z.string().describe('the id of the deleted finding or action item') });

nameSchema(ListedActionItemSchema, 'ListedActionItem', 'An action item in a list across incidents, with its incident\'s title.');
/** Action items across incidents. */
export const ActionItemListSchema = z.object({ actionItems: z.array(ListedActionItemSchema) });

/** The list as JSON, or as a CSV file (`format=csv`). */
export const ActionItemListResponse = {
  description: 'The action items (JSON), or a CSV file with `format=csv` (content-disposition: attachment).',
  content: {
    'application/json': { schema: ActionItemListSchema },
    'text/csv': { schema: z.string() },
  },
};

/** The change history of a review. */
export const ReviewHistorySchema = z.object({ changes: z.array(ReviewChangeSchema) });
