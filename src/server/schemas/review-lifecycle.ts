import { z } from 'zod';
import { ACTION_PRIORITIES, ACTION_STATUSES, ACTION_TYPES, FINDING_CATEGORIES, FINDING_SEVERITIES, REVIEW_SECTIONS, REVIEW_STATES, SUFFICIENCY_VALUES } from '../../model/review.js';
import { ROLES } from '../../model/roles.js';
import { RESPONSE_PHASES } from '../../model/timeline.js';
import { REVIEW_TRANSITION_NAMES } from '../../review/lifecycle.js';
import { QUESTION_IDS } from '../../review/questions.js';
import { nameSchema } from './registry.js';

const ReviewState = z.enum(REVIEW_STATES);
const ActionStatus = z.enum(ACTION_STATUSES);

/**
 * The review's state machine and the review's vocabularies, as the server enforces them: what a
 * client offers comes from here, never from its own copy.
 */
export const ReviewLifecycleSchema = z.object({
  /** Roles from least to most: each may do everything the ones before it may. */
  roles: z.array(z.enum(ROLES)),
  states: z.array(ReviewState),
  /** States in which the review's content (sections, answers, findings, timeline) may be edited. */
  editableStates: z.array(ReviewState),
  /** Each named transition (POST /api/incidents/{id}/review/{name}): the states it starts from, where it leads (null: the state stays), the least role. */
  transitions: z.array(z.object({ name: z.enum(REVIEW_TRANSITION_NAMES), from: z.array(ReviewState), to: ReviewState.nullable(), role: z.enum(ROLES) })),
  sections: z.array(z.object({ key: z.enum(REVIEW_SECTIONS), title: z.string() })),
  /** The lessons-learned questions (NIST SP 800-61), by id. */
  questions: z.array(z.object({ id: z.enum(QUESTION_IDS as [string, ...string[]]), number: z.number().int(), text: z.string() })),
  sufficiency: z.array(z.enum(SUFFICIENCY_VALUES)),
  responsePhases: z.array(z.enum(RESPONSE_PHASES)),
  findings: z.object({
    categories: z.array(z.object({ id: z.enum(FINDING_CATEGORIES), title: z.string() })),
    severities: z.array(z.enum(FINDING_SEVERITIES)),
  }),
  actionItems: z.object({
    types: z.array(z.enum(ACTION_TYPES)),
    priorities: z.array(z.enum(ACTION_PRIORITIES)),
    statuses: z.array(ActionStatus),
    /** The statuses each status may move to (verified is final). */
    moves: z.array(z.object({ from: ActionStatus, to: z.array(ActionStatus) })),
    /** Statuses that count as closed (never overdue). */
    closedStatuses: z.array(ActionStatus),
  }),
});
export type ReviewLifecycle = z.infer<typeof ReviewLifecycleSchema>;
nameSchema(ReviewLifecycleSchema, 'ReviewLifecycle');
