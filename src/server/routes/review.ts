import { z } from 'zod';
import {
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
import { QUESTION_IDS } from '../../review/questions.js';
import { actorOf, userOf, type RouteContext, type TypedApp } from '../app.js';
import { notFound } from '../errors.js';
import { IncidentParams, listParam, reviewRepo, visibleIncident } from './common.js';

const expectedVersion = z.number().int().min(0).optional().describe('the version the change is based on; a newer stored version answers 409 with who changed it and when');
const Versioned = z.object({ expectedVersion });
const SectionParams = IncidentParams.extend({ key: z.enum(REVIEW_SECTIONS) });
const AnswerParams = IncidentParams.extend({ questionId: z.enum(QUESTION_IDS as [string, ...string[]]) });
const EventParams = IncidentParams.extend({ eventId: z.string().min(1).max(200) });
const IdParams = z.object({ id: z.string().min(1).max(200) });
const Transition = z.enum(['start', 'submit', 'approve', 'return', 'waive', 'reopen', 'require', 'close']);

/** Who may make each review transition. */
const TRANSITION_ACCESS = { start: 'analyst', submit: 'analyst', require: 'analyst', approve: 'reviewer', return: 'reviewer', waive: 'reviewer', reopen: 'reviewer', close: 'reviewer' } as const;

export async function registerReviewRoutes(app: TypedApp, ctx: RouteContext): Promise<void> {
  const w = (request: Parameters<typeof actorOf>[0], version: number | undefined) => ({ actor: actorOf(request), ...(version !== undefined ? { expectedVersion: version } : {}) });

  app.put(
    '/api/incidents/:id/sections/:key',
    { config: { access: 'analyst' }, schema: { tags: ['review'], summary: 'Write a section of the review', params: SectionParams, body: Versioned.extend({ body: z.string().max(100_000) }) } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return reviewRepo(ctx).saveSection(incident.id, request.params.key, request.body.body, w(request, request.body.expectedVersion));
    },
  );

  app.put(
    '/api/incidents/:id/answers/:questionId',
    { config: { access: 'analyst' }, schema: { tags: ['review'], summary: 'Answer a lessons-learned question', params: AnswerParams, body: Versioned.extend({ answer: z.string().max(50_000) }) } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return reviewRepo(ctx).saveAnswer(incident.id, request.params.questionId, request.body.answer, w(request, request.body.expectedVersion));
    },
  );

  for (const name of Transition.options) {
    const access = TRANSITION_ACCESS[name];
    const body = Versioned.extend({
      reason: z.string().max(5000).optional(),
      ...(name === 'approve' ? { sufficiency: z.enum(SUFFICIENCY_VALUES), notes: z.string().max(10_000).optional(), overrideIncomplete: z.string().max(5000).optional() } : {}),
    });
    app.post(
      `/api/incidents/:id/review/${name}`,
      { config: { access }, schema: { tags: ['review'], summary: `Review transition: ${name} (${access} or above)`, params: IncidentParams, body } },
      async (request) => {
        const incident = await visibleIncident(ctx, request, request.params.id);
        const repo = reviewRepo(ctx);
        const b = request.body as z.infer<typeof body> & { sufficiency?: 'sufficient' | 'insufficient'; notes?: string; overrideIncomplete?: string };
        const opts = w(request, b.expectedVersion);
        switch (name) {
          case 'start':
            return repo.startDraft(incident.id, opts);
          case 'submit':
            return repo.submit(incident.id, opts);
          case 'approve':
            return repo.approve(incident.id, { ...opts, sufficiency: b.sufficiency ?? 'sufficient', notes: b.notes, overrideIncomplete: b.overrideIncomplete });
          case 'return':
            return repo.returnToDraft(incident.id, { ...opts, reason: b.reason });
          case 'waive':
            return repo.waive(incident.id, { ...opts, reason: b.reason ?? '' });
          case 'reopen':
            return repo.reopen(incident.id, { ...opts, reason: b.reason });
          case 'require':
            return repo.requireReview(incident.id, { ...opts, reason: b.reason });
          case 'close':
            return repo.closeIncident(incident.id, { ...opts, reason: b.reason });
        }
      },
    );
  }

  app.post(
    '/api/incidents/:id/timeline',
    { config: { access: 'analyst' }, schema: { tags: ['timeline'], summary: 'Add a hand-written timeline event', params: IncidentParams, body: ManualTimelineEventInputSchema } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return reviewRepo(ctx).addManualEvent(incident.id, request.body, w(request, undefined));
    },
  );
  app.patch(
    '/api/incidents/:id/timeline/:eventId',
    { config: { access: 'analyst' }, schema: { tags: ['timeline'], summary: 'Edit a hand-written timeline event', params: EventParams, body: ManualTimelineEventPatchSchema.extend({ expectedVersion }) } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const { expectedVersion: v, ...patch } = request.body;
      return reviewRepo(ctx).editManualEvent(incident.id, request.params.eventId, patch, w(request, v));
    },
  );
  app.delete(
    '/api/incidents/:id/timeline/:eventId',
    { config: { access: 'analyst' }, schema: { tags: ['timeline'], summary: 'Delete a hand-written timeline event', params: EventParams, querystring: z.object({ expectedVersion: z.coerce.number().int().min(0).optional() }) } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      await reviewRepo(ctx).deleteManualEvent(incident.id, request.params.eventId, w(request, request.query.expectedVersion));
      return { deleted: request.params.eventId };
    },
  );
  app.put(
    '/api/incidents/:id/timeline/:eventId/annotation',
    { config: { access: 'analyst' }, schema: { tags: ['timeline'], summary: 'Tag a timeline event: phase, key moment, hidden, note', params: EventParams, body: TimelineAnnotationPatchSchema.extend({ expectedVersion }) } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const { expectedVersion: v, ...patch } = request.body;
      return reviewRepo(ctx).annotateEvent(incident.id, request.params.eventId, patch, w(request, v));
    },
  );

  app.post(
    '/api/incidents/:id/findings',
    { config: { access: 'analyst' }, schema: { tags: ['findings'], summary: 'Add a finding', params: IncidentParams, body: FindingInputSchema } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return reviewRepo(ctx).addFinding(incident.id, request.body, w(request, undefined));
    },
  );
  app.patch(
    '/api/findings/:id',
    { config: { access: 'analyst' }, schema: { tags: ['findings'], summary: 'Edit a finding', params: IdParams, body: FindingPatchSchema.extend({ expectedVersion }) } },
    async (request) => {
      const repo = reviewRepo(ctx);
      const finding = await repo.getFinding(request.params.id);
      if (!finding || !(await ctx.auth.canSee(userOf(request), finding.incidentId))) throw notFound(`no finding "${request.params.id}"`);
      const { expectedVersion: v, ...patch } = request.body;
      return repo.editFinding(finding.id, patch, w(request, v));
    },
  );

  app.get(
    '/api/action-items',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['action items'],
        summary: 'Action items across incidents (owner, due, overdue, status)',
        querystring: z.object({ status: listParam, owner: z.string().max(200).optional(), overdue: z.enum(['true', 'false']).optional(), incident: z.string().max(200).optional() }),
      },
    },
    async (request) => {
      const q = request.query;
      const statuses = q.status?.filter((s): s is (typeof ACTION_STATUSES)[number] => (ACTION_STATUSES as readonly string[]).includes(s));
      let incidentId: string | undefined;
      if (q.incident) incidentId = (await visibleIncident(ctx, request, q.incident)).id;
      const items = await reviewRepo(ctx).listActionItems({ incidentId, status: statuses, owner: q.owner, overdue: q.overdue === 'true' ? true : undefined });
      const hidden = await ctx.auth.hiddenIncidents(userOf(request));
      const { isOverdue } = await import('../../review/lifecycle.js');
      const now = new Date();
      return { actionItems: items.filter((i) => !hidden.has(i.incidentId)).map((i) => ({ ...i, overdue: isOverdue(i, now) })) };
    },
  );
  app.post(
    '/api/incidents/:id/action-items',
    { config: { access: 'analyst' }, schema: { tags: ['action items'], summary: 'Add an action item', params: IncidentParams, body: ActionItemInputSchema } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return reviewRepo(ctx).addActionItem(incident.id, request.body, w(request, undefined));
    },
  );
  const visibleAction = async (request: Parameters<typeof userOf>[0], id: string) => {
    const item = await reviewRepo(ctx).getActionItem(id);
    if (!item || !(await ctx.auth.canSee(userOf(request), item.incidentId))) throw notFound(`no action item "${id}"`);
    return item;
  };
  app.patch(
    '/api/action-items/:id',
    { config: { access: 'analyst' }, schema: { tags: ['action items'], summary: 'Edit an action item', params: IdParams, body: ActionItemPatchSchema.extend({ expectedVersion }) } },
    async (request) => {
      const item = await visibleAction(request, request.params.id);
      const { expectedVersion: v, ...patch } = request.body;
      return reviewRepo(ctx).updateActionItem(item.id, patch, w(request, v));
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
      },
    },
    async (request) => {
      const item = await visibleAction(request, request.params.id);
      const { expectedVersion: v, ...change } = request.body;
      return reviewRepo(ctx).moveActionItem(item.id, change, w(request, v));
    },
  );
}
