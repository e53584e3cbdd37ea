import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACTION_PRIORITIES, ACTION_STATUSES, ACTION_TYPES, FINDING_CATEGORIES, FINDING_CATEGORY_TITLES, FINDING_SEVERITIES, REVIEW_SECTIONS, REVIEW_STATES, SECTION_TITLES, SUFFICIENCY_VALUES } from '../../model/review.js';
import { ROLES } from '../../model/roles.js';
import { RESPONSE_PHASES } from '../../model/timeline.js';
import { ACTION_TRANSITIONS, CLOSED_ACTION_STATUSES, EDITABLE_STATES, REVIEW_TRANSITION_NAMES, REVIEW_TRANSITION_RULES } from '../../review/lifecycle.js';
import { LESSONS_LEARNED_QUESTIONS } from '../../review/questions.js';
import type { RouteContext } from '../context.js';
import { errorResponses } from '../schemas/errors.js';
import { ReviewLifecycleSchema, type ReviewLifecycle } from '../schemas/review-lifecycle.js';

/** The lifecycle as plain data, from the domain's own tables (built once). */
function reviewLifecycle(): ReviewLifecycle {
  return {
    roles: [...ROLES],
    states: [...REVIEW_STATES],
    editableStates: [...EDITABLE_STATES],
    transitions: REVIEW_TRANSITION_NAMES.map((name) => {
      const rule = REVIEW_TRANSITION_RULES[name];
      return { name, from: [...rule.from], to: rule.to, role: rule.role };
    }),
    sections: REVIEW_SECTIONS.map((key) => ({ key, title: SECTION_TITLES[key] })),
    questions: LESSONS_LEARNED_QUESTIONS.map((q, i) => ({ id: q.id, number: i + 1, text: q.text })),
    sufficiency: [...SUFFICIENCY_VALUES],
    responsePhases: [...RESPONSE_PHASES],
    findings: { categories: FINDING_CATEGORIES.map((id) => ({ id, title: FINDING_CATEGORY_TITLES[id] })), severities: [...FINDING_SEVERITIES] },
    actionItems: {
      types: [...ACTION_TYPES],
      priorities: [...ACTION_PRIORITIES],
      statuses: [...ACTION_STATUSES],
      moves: ACTION_STATUSES.map((from) => ({ from, to: [...ACTION_TRANSITIONS[from]] })),
      closedStatuses: [...CLOSED_ACTION_STATUSES],
    },
  };
}

/** GET /api/review/lifecycle: the review's state machine and vocabularies. */
export const reviewLifecycleRoutes: FastifyPluginAsyncZod<RouteContext> = async (app) => {
  const lifecycle = reviewLifecycle();
  app.get(
    '/api/review/lifecycle',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['review'],
        summary: 'The review state machine (states, transitions with their from-states, target and least role), action item moves, and the review vocabularies',
        response: { 200: ReviewLifecycleSchema, ...errorResponses(401) },
      },
    },
    async () => lifecycle,
  );
};
