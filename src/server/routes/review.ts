import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ACTION_SORT_KEYS,
  ACTION_STATUSES,
  ActionItemInputSchema,
  ActionItemPatchSchema,
  FindingInputSchema,
  FindingPatchSchema,
  ManualTimelineEventInputSchema,
  ManualTimelineEventPatchSchema,
  REVIEW_SECTIONS,
  SUFFICIENCY_VALUES,
  TimelineAnnotationPatchSchema,
} from '../../model/review.js';
import {
  addActionItem,
  addFinding,
  addTimelineEvent,
  annotateTimelineEvent,
  deleteActionItem,
  deleteFinding,
  deleteTimelineEvent,
  editFinding,
  editTimelineEvent,
  getActionItem,
  getFinding,
  listActionItemsAcross,
  makeReviewTransition,
  moveActionItem,
  saveReviewAnswer,
  saveReviewSection,
  updateActionItem,
} from '../../app/review/index.js';
import { renderActionItemsCsv } from '../../export/action-items-csv.js';
import { startReviewWithTemplate } from '../../app/review/start.js';
import { loadTemplates } from '../../app/review/templates.js';
import { FourEyesError, REVIEW_TRANSITION_NAMES, REVIEW_TRANSITION_RULES } from '../../review/lifecycle.js';
import { QUESTION_IDS } from '../../review/questions.js';
import type { RouteContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { actorOf, userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import {
  ActionItemListResponse,
  ActionItemSchema,
  DeletedEventSchema,
  DeletedSchema,
  FindingSchema,
  ManualTimelineEventSchema,
  ReviewAnswerSchema,
  ReviewRecordSchema,
  ReviewSectionSchema,
  TimelineAnnotationSchema,
} from '../schemas/review.js';
import { enumListParam, IncidentParams, visibleIncident } from './common.js';

const expectedVersion = z.number().int().min(0).optional().describe('the version the change is based on; a newer stored version answers 409 with who changed it and when');
const Versioned = z.object({ expectedVersion });
const SectionParams = IncidentParams.extend({ key: z.enum(REVIEW_SECTIONS) });
const AnswerParams = IncidentParams.extend({ questionId: z.enum(QUESTION_IDS as [string, ...string[]]) });
const EventParams = IncidentParams.extend({ eventId: z.string().min(1).max(200) });
const IdParams = z.object({ id: z.string().min(1).max(200) });
const VersionQuery = z.object({ expectedVersion: z.coerce.number().int().min(0).optional().describe('the version the deletion is based on; a newer stored version answers 409') });
/** The filters of `hindsight actions list`, plus search, due-soon, order and the CSV export. */
const ActionListQuery = z.object({
  status: enumListParam(ACTION_STATUSES).describe(`statuses, comma-separated (${ACTION_STATUSES.join(', ')})`),
  owner: z.string().max(200).optional().describe('exactly this owner'),
  overdue: z.enum(['true', 'false']).optional(),
  incident: z.string().max(200).optional(),
  q: z.string().max(200).optional().describe('fuzzy search on owner and title: every word must match one of them'),
  dueSoon: z.coerce.number().int().min(0).max(365).optional().describe('only open items due from today to this many days ahead'),
  sort: z.enum(ACTION_SORT_KEYS).optional(),
  order: z.enum(['asc', 'desc']).default('asc'),
  format: z.enum(['json', 'csv']).default('json').describe('csv: a spreadsheet-safe CSV file (content-disposition: attachment)'),
});
/** Writes to the review: sections, answers, transitions, the timeline, findings and action items (each audited). */
export const reviewRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const w = (request: Parameters<typeof actorOf>[0], version: number | undefined) => ({ actor: actorOf(request), ...(version !== undefined ? { expectedVersion: version } : {}) });

  app.put(
    '/api/incidents/:id/sections/:key',
    { config: { access: 'analyst' }, schema: { tags: ['review'], summary: 'Write a section of the review', params: SectionParams, body: Versioned.extend({ body: z.string().max(100_000) }), response: { 200: ReviewSectionSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return saveReviewSection(ctx.store, incident.id, request.params.key, request.body.body, w(request, request.body.expectedVersion));
    },
  );

  app.put(
    '/api/incidents/:id/answers/:questionId',
    { config: { access: 'analyst' }, schema: { tags: ['review'], summary: 'Answer a lessons-learned question', params: AnswerParams, body: Versioned.extend({ answer: z.string().max(50_000) }), response: { 200: ReviewAnswerSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return saveReviewAnswer(ctx.store, incident.id, request.params.questionId, request.body.answer, w(request, request.body.expectedVersion));
    },
  );

  for (const name of REVIEW_TRANSITION_NAMES) {
    const access = REVIEW_TRANSITION_RULES[name].role;
    const body = Versioned.extend({
      reason: z.string().max(5000).optional(),
      ...(name === 'approve' ? { sufficiency: z.enum(SUFFICIENCY_VALUES), notes: z.string().max(10_000).optional(), overrideIncomplete: z.string().max(5000).optional() } : {}),
    });
    app.post(
      `/api/incidents/:id/review/${name}`,
      { config: { access }, schema: { tags: ['review'], summary: `Review transition: ${name} (${access} or above)`, params: IncidentParams, body, response: { 200: ReviewRecordSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
      async (request) => {
        const incident = await visibleIncident(ctx, request, request.params.id);
        const b = request.body as z.infer<typeof body> & { sufficiency?: 'sufficient' | 'insufficient'; notes?: string; overrideIncomplete?: string };
        // Starting a review also applies the template its incident's rule picks (when it has none yet).
        if (name === 'start') return startReviewWithTemplate(ctx.store, incident, loadTemplates({ env: ctx.options.env }).templates, w(request, b.expectedVersion));
        const approvalRules = name === 'approve' ? (await import('../../review/policy.js')).loadPolicy({ file: ctx.options.policyFile, env: ctx.options.env }).policy.approval : undefined;
        try {
          return await makeReviewTransition(ctx.store, name, incident.id, { ...w(request, b.expectedVersion), reason: b.reason, sufficiency: b.sufficiency, notes: b.notes, overrideIncomplete: b.overrideIncomplete, approvalRules });
        } catch (error) {
          // The four-eyes rule refuses this person, not the review's state: 403.
          if (error instanceof FourEyesError) throw new HttpError(403, 'four-eyes', error.message);
          throw error;
        }
      },
    );
  }

  app.post(
    '/api/incidents/:id/timeline',
    { config: { access: 'analyst' }, schema: { tags: ['timeline'], summary: 'Add a hand-written timeline event', params: IncidentParams, body: ManualTimelineEventInputSchema, response: { 200: ManualTimelineEventSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return addTimelineEvent(ctx.store, incident.id, request.body, w(request, undefined));
    },
  );
  app.patch(
    '/api/incidents/:id/timeline/:eventId',
    { config: { access: 'analyst' }, schema: { tags: ['timeline'], summary: 'Edit a hand-written timeline event', params: EventParams, body: ManualTimelineEventPatchSchema.extend({ expectedVersion }), response: { 200: ManualTimelineEventSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const { expectedVersion: v, ...patch } = request.body;
      return editTimelineEvent(ctx.store, incident.id, request.params.eventId, patch, w(request, v));
    },
  );
  app.delete(
    '/api/incidents/:id/timeline/:eventId',
    { config: { access: 'analyst' }, schema: { tags: ['timeline'], summary: 'Delete a hand-written timeline event', params: EventParams, querystring: z.object({ expectedVersion: z.coerce.number().int().min(0).optional() }), response: { 200: DeletedEventSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      await deleteTimelineEvent(ctx.store, incident.id, request.params.eventId, w(request, request.query.expectedVersion));
      return { deleted: request.params.eventId };
    },
  );
  app.put(
    '/api/incidents/:id/timeline/:eventId/annotation',
    { config: { access: 'analyst' }, schema: { tags: ['timeline'], summary: 'Tag a timeline event: phase, key moment, hidden, note', params: EventParams, body: TimelineAnnotationPatchSchema.extend({ expectedVersion }), response: { 200: TimelineAnnotationSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const { expectedVersion: v, ...patch } = request.body;
      return annotateTimelineEvent(ctx.store, incident.id, request.params.eventId, patch, w(request, v));
    },
  );

  app.post(
    '/api/incidents/:id/findings',
    { config: { access: 'analyst' }, schema: { tags: ['findings'], summary: 'Add a finding', params: IncidentParams, body: FindingInputSchema, response: { 200: FindingSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return addFinding(ctx.store, incident.id, request.body, w(request, undefined));
    },
  );
  app.patch(
    '/api/findings/:id',
    { config: { access: 'analyst' }, schema: { tags: ['findings'], summary: 'Edit a finding', params: IdParams, body: FindingPatchSchema.extend({ expectedVersion }), response: { 200: FindingSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      // Access is checked in the query that finds it: restricted and unknown answer alike, in the same time.
      const finding = (await ctx.auth.canSeeFinding(userOf(request), request.params.id)) ? await getFinding(ctx.store, request.params.id) : undefined;
      if (!finding) throw notFound(`no finding "${request.params.id}"`);
      const { expectedVersion: v, ...patch } = request.body;
      return editFinding(ctx.store, finding.id, patch, w(request, v));
    },
  );

  app.delete(
    '/api/findings/:id',
    { config: { access: 'analyst' }, schema: { tags: ['findings'], summary: 'Delete a finding (its action items stay, unlinked)', params: IdParams, querystring: VersionQuery, response: { 200: DeletedSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const finding = await getFinding(ctx.store, request.params.id);
      if (!finding || !(await ctx.auth.canSee(userOf(request), finding.incidentId))) throw notFound(`no finding "${request.params.id}"`);
      await deleteFinding(ctx.store, finding.id, w(request, request.query.expectedVersion));
      return { deleted: finding.id };
    },
  );

  app.get(
    '/api/action-items',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['action items'],
        summary: 'Action items across incidents (owner, due, overdue, due soon, status, search, order; JSON or CSV)',
        querystring: ActionListQuery,
        response: { 200: ActionItemListResponse, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const unknown = q.status?.filter((s) => !(ACTION_STATUSES as readonly string[]).includes(s)) ?? [];
      if (unknown.length) throw new HttpError(400, 'invalid-input', `querystring/status: "${unknown[0]}" is not one of ${ACTION_STATUSES.join(', ')}`);
      const statuses = q.status?.filter((s): s is (typeof ACTION_STATUSES)[number] => (ACTION_STATUSES as readonly string[]).includes(s));
      let incidentId: string | undefined;
      if (q.incident) incidentId = (await visibleIncident(ctx, request, q.incident)).id;
      const items = await listActionItemsAcross(ctx.store, { incidentId, status: statuses, owner: q.owner, overdue: q.overdue === 'true' ? true : undefined, search: q.q, dueWithinDays: q.dueSoon, sort: q.sort, descending: q.order === 'desc' });
      const hidden = await ctx.auth.hiddenIncidents(userOf(request));
      const visible = items.filter((i) => !hidden.has(i.incidentId));
      if (q.format === 'csv') {
        return reply.header('content-disposition', `attachment; filename="action-items-${new Date().toISOString().slice(0, 10)}.csv"`).type('text/csv; charset=utf-8').send(renderActionItemsCsv(visible));
      }
      return { actionItems: visible };
    },
  );
  app.post(
    '/api/incidents/:id/action-items',
    { config: { access: 'analyst' }, schema: { tags: ['action items'], summary: 'Add an action item', params: IncidentParams, body: ActionItemInputSchema, response: { 200: ActionItemSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return addActionItem(ctx.store, incident.id, request.body, w(request, undefined));
    },
  );
  const visibleAction = async (request: Parameters<typeof userOf>[0], id: string) => {
    const item = (await ctx.auth.canSeeActionItem(userOf(request), id)) ? await getActionItem(ctx.store, id) : undefined;
    if (!item) throw notFound(`no action item "${id}"`);
    return item;
  };
  app.delete(
    '/api/action-items/:id',
    { config: { access: 'analyst' }, schema: { tags: ['action items'], summary: 'Delete an action item', params: IdParams, querystring: VersionQuery, response: { 200: DeletedSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const item = await visibleAction(request, request.params.id);
      await deleteActionItem(ctx.store, item.id, w(request, request.query.expectedVersion));
      return { deleted: item.id };
    },
  );
  app.patch(
    '/api/action-items/:id',
    { config: { access: 'analyst' }, schema: { tags: ['action items'], summary: 'Edit an action item', params: IdParams, body: ActionItemPatchSchema.extend({ expectedVersion }), response: { 200: ActionItemSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const item = await visibleAction(request, request.params.id);
      const { expectedVersion: v, ...patch } = request.body;
      return updateActionItem(ctx.store, item.id, patch, w(request, v));
    },
  );
  app.post(
    '/api/action-items/:id/status',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['action items'],
        summary: 'Move an action item (open, in-progress, done, verified, wont-do)',
        params: IdParams,
        body: Versioned.extend({ status: z.enum(ACTION_STATUSES), reason: z.string().max(5000).optional(), verificationMethod: z.string().max(5000).optional(), verificationEvidence: z.string().max(5000).optional() }),
        response: { 200: ActionItemSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const item = await visibleAction(request, request.params.id);
      const { expectedVersion: v, ...change } = request.body;
      return moveActionItem(ctx.store, item.id, change, w(request, v));
    },
  );
};
