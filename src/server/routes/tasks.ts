import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { myWork } from '../../app/my-work.js';
import { listPeople } from '../../app/people.js';
import { addTask, getTask, listTasks, removeTask, updateTask } from '../../app/review/tasks.js';
import { appliedTemplateView, applyTemplate, loadTemplates, saveTemplateAnswer, suggestTemplate, templateById } from '../../app/review/templates.js';
import { TASK_STATUSES, TaskInputSchema, TaskPatchSchema } from '../../model/tasks.js';
import type { ReviewTemplate } from '../../review/templates.js';
import type { RouteContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { actorOf, userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import { IncidentTemplateSchema, MyWorkSchema, PeopleSchema, ReviewTaskSchema, TaskListSchema, TemplateApplicationSchema, TemplateListSchema, TemplatePromptViewSchema } from '../schemas/tasks.js';
import { IncidentParams, listParam, visibleIncident } from './common.js';

const expectedVersion = z.number().int().min(0).optional().describe('the version the change is based on; a newer stored version answers 409 with who changed it and when');
const TaskParams = IncidentParams.extend({ taskId: z.string().min(1).max(200) });
const PromptParams = IncidentParams.extend({ key: z.string().min(1).max(100) });

/**
 * Review tasks, review templates, the people work is given to, and "my work". Reads need a
 * signed-in user; writes need an analyst. A task or incident the user may not see answers 404.
 */
export const taskRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const w = (request: Parameters<typeof actorOf>[0], version: number | undefined) => ({ actor: actorOf(request), ...(version !== undefined ? { expectedVersion: version } : {}) });
  const templates = () => loadTemplates({ env: ctx.options.env });

  app.get(
    '/api/incidents/:id/tasks',
    { config: { access: 'viewer' }, schema: { tags: ['tasks'], summary: "The review's tasks, by due date", params: IncidentParams, querystring: z.object({ status: listParam }), response: { 200: TaskListSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const unknown = request.query.status?.filter((s) => !(TASK_STATUSES as readonly string[]).includes(s)) ?? [];
      if (unknown.length) throw new HttpError(400, 'invalid-input', `querystring/status: "${unknown[0]}" is not one of ${TASK_STATUSES.join(', ')}`);
      return { tasks: await listTasks(ctx.store, incident.id, { status: request.query.status as (typeof TASK_STATUSES)[number][] | undefined }) };
    },
  );
  app.post(
    '/api/incidents/:id/tasks',
    { config: { access: 'analyst' }, schema: { tags: ['tasks'], summary: 'Add a task (assignee: a user name or an e-mail address; due date YYYY-MM-DD)', params: IncidentParams, body: TaskInputSchema, response: { 201: ReviewTaskSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return reply.status(201).send(await addTask(ctx.store, incident.id, request.body, w(request, undefined)));
    },
  );
  app.patch(
    '/api/incidents/:id/tasks/:taskId',
    { config: { access: 'analyst' }, schema: { tags: ['tasks'], summary: 'Change a task: title, description, assignee, role, due date, status', params: TaskParams, body: TaskPatchSchema.extend({ expectedVersion }), response: { 200: ReviewTaskSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      await taskOf(incident.id, request.params.taskId);
      const { expectedVersion: v, ...patch } = request.body;
      return updateTask(ctx.store, request.params.taskId, patch, w(request, v));
    },
  );
  app.delete(
    '/api/incidents/:id/tasks/:taskId',
    { config: { access: 'analyst' }, schema: { tags: ['tasks'], summary: 'Delete a task', params: TaskParams, querystring: z.object({ expectedVersion: z.coerce.number().int().min(0).optional() }), response: { 200: z.object({ deleted: z.string() }), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      await taskOf(incident.id, request.params.taskId);
      await removeTask(ctx.store, request.params.taskId, w(request, request.query.expectedVersion));
      return { deleted: request.params.taskId };
    },
  );

  app.get('/api/review-templates', { config: { access: 'viewer' }, schema: { tags: ['templates'], summary: 'The review templates in effect and where they come from', response: { 200: TemplateListSchema, ...errorResponses(400, 401) } } }, async () => {
    const loaded = templates();
    return { dir: loaded.dir, origin: loaded.origin, templates: loaded.templates.map(summaryOf) };
  });
  app.get(
    '/api/incidents/:id/template',
    { config: { access: 'viewer' }, schema: { tags: ['templates'], summary: 'The template the review follows, the one its rule picks, and the ones to choose from', params: IncidentParams, response: { 200: IncidentTemplateSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const all = templates().templates;
      const suggested = suggestTemplate(all, incident);
      return {
        applied: await appliedTemplateView(ctx.store, incident.id),
        suggested: { templateId: suggested.template.id, name: suggested.template.name, version: suggested.template.version, reasons: suggested.reasons },
        templates: all.map((t) => ({ id: t.id, name: t.name, version: t.version, description: t.description })),
      };
    },
  );
  app.put(
    '/api/incidents/:id/template',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['templates'],
        summary: 'Apply a template to the review (by id, or the one its rule picks when no id is given): its sections, questions and tasks',
        params: IncidentParams,
        body: z.object({ templateId: z.string().min(1).max(100).optional(), expectedVersion }),
        response: { 200: TemplateApplicationSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const all = templates().templates;
      const choice = request.body.templateId ? { template: templateById(all, request.body.templateId), reasons: [], chosenBy: 'hand' as const } : { ...suggestTemplate(all, incident), chosenBy: 'rule' as const };
      return applyTemplate(ctx.store, incident.id, choice, w(request, request.body.expectedVersion));
    },
  );
  app.put(
    '/api/incidents/:id/template/answers/:key',
    { config: { access: 'analyst' }, schema: { tags: ['templates'], summary: "Write the answer to a section or question of the review's template", params: PromptParams, body: z.object({ answer: z.string().max(100_000), expectedVersion }), response: { 200: TemplatePromptViewSchema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return saveTemplateAnswer(ctx.store, incident.id, request.params.key, request.body.answer, w(request, request.body.expectedVersion));
    },
  );

  app.get('/api/people', { config: { access: 'viewer' }, schema: { tags: ['people'], summary: 'The people work can be given to: user name, display name, e-mail address', response: { 200: PeopleSchema, ...errorResponses(401) } } }, async () => ({
    people: await listPeople(ctx.store),
  }));
  app.get('/api/my-work', { config: { access: 'viewer' }, schema: { tags: ['people'], summary: 'Everything assigned to me across incidents: action items, tasks, reviews waiting on me', response: { 200: MyWorkSchema, ...errorResponses(401) } } }, async (request) =>
    myWork(ctx.store, userOf(request)),
  );

  /** The task, when it belongs to the incident (else 404, as for an unknown one). */
  async function taskOf(incidentId: string, taskId: string) {
    const task = await getTask(ctx.store, taskId);
    if (!task || task.incidentId !== incidentId) throw notFound(`no task "${taskId}" on this incident`);
    return task;
  }
};

function summaryOf(t: ReviewTemplate): z.infer<typeof TemplateListSchema>['templates'][number] {
  return {
    id: t.id,
    name: t.name,
    version: t.version,
    description: t.description,
    default: t.default,
    priority: t.priority,
    match: t.match ? (Object.fromEntries(Object.entries(t.match).filter(([, v]) => v !== undefined)) as Record<string, string[]>) : null,
    sections: t.sections,
    questions: t.questions.map((q) => ({ key: q.key, title: q.title, guidance: q.guidance })),
    tasks: t.tasks.map((x) => ({ key: x.key, title: x.title, description: x.description, role: x.role ?? null, assignee: x.assignee ?? null, dueInDays: x.dueInDays ?? null })),
  };
}
