import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { setActionItemTechniques, verifyDetectionItems } from '../../app/detection-verification.js';
import { confirmInferred, dismissInferred, inferForIncident, inferenceLayer, INFERENCE_LAYER_INCIDENTS } from '../../app/inference.js';
import { incidentPage } from '../../app/incidents.js';
import { NavigatorLayerSchema } from '../schemas/incidents.js';
import { ruleInventoryHistory } from '../../app/rule-inventory.js';
import { getActionItem } from '../../app/review/index.js';
import { InferenceAnswerSchema, InferenceDecisionSchema } from '../../model/inference.js';
import type { RouteContext } from '../context.js';
import { notFound } from '../errors.js';
import { actorOf, userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import { IncidentParams, visibleIncident } from './common.js';

/**
 * Technique inference ("probably also happened"), the analysts' confirm/dismiss decisions, the
 * rule inventory's coverage over time, and the verification of detection-engineering action items.
 */

const InferenceQuery = z.object({ top: z.coerce.number().int().min(1).max(50).default(10) });
const IdParams = z.object({ id: z.string().min(1).max(200) });
const EvidenceSchema = z.object({ importId: z.string(), at: z.string(), rules: z.array(z.object({ id: z.string(), title: z.string(), techniques: z.array(z.string()) })), uncovered: z.array(z.string()) });
const StateSchema = z.enum(['pending', 'verified', 'regressed']);
const DetectionItemSchema = z.object({
  actionItemId: z.string(),
  incidentId: z.string(),
  title: z.string(),
  techniques: z.array(z.string()),
  state: StateSchema,
  evidence: EvidenceSchema.nullable(),
});
const VerificationSchema = z.object({ importId: z.string().nullable(), items: z.array(DetectionItemSchema.extend({ before: StateSchema })) });
const RuleHistorySchema = z.object({
  imports: z.array(
    z.object({
      id: z.string(),
      importedAt: z.string(),
      importedBy: z.string(),
      paths: z.array(z.string()),
      format: z.string(),
      rules: z.number().int(),
      added: z.number().int(),
      changed: z.number().int(),
      removed: z.number().int(),
      techniquesCovered: z.number().int(),
      gained: z.array(z.string()),
      lost: z.array(z.string()),
    }),
  ),
});

export const inferenceRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get(
    '/api/incidents/:id/inference',
    { config: { access: 'viewer' }, schema: { tags: ['inference'], summary: 'Techniques that probably also happened in the incident, with the observed techniques that imply each', params: IncidentParams, querystring: InferenceQuery, response: { 200: InferenceAnswerSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      return inferForIncident(ctx.store, ctx.kb, incident, { top: request.query.top, rules: await ctx.rules.index() });
    },
  );
  const Decision = z.object({ incident: z.string(), techniques: z.array(z.string()) });
  app.post(
    '/api/incidents/:id/inference/confirm',
    { config: { access: 'analyst' }, schema: { tags: ['inference'], summary: 'Confirm inferred techniques: they join the confirmed techniques (coverage counts them as missed)', params: IncidentParams, body: InferenceDecisionSchema, response: { 200: Decision, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const r = await confirmInferred(ctx.store, ctx.kb, actorOf(request), incident.id, request.body.techniques, request.body.reason);
      return { incident: r.incident, techniques: r.confirmed };
    },
  );
  app.post(
    '/api/incidents/:id/inference/dismiss',
    { config: { access: 'analyst' }, schema: { tags: ['inference'], summary: 'Dismiss inferred techniques for the incident (stored and audited)', params: IncidentParams, body: InferenceDecisionSchema, response: { 200: Decision, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const incident = await visibleIncident(ctx, request, request.params.id);
      const r = await dismissInferred(ctx.store, ctx.kb, actorOf(request), incident.id, request.body.techniques, request.body.reason);
      return { incident: r.incident, techniques: r.dismissed };
    },
  );
  app.get(
    '/api/layers/inferred',
    { config: { access: 'viewer' }, schema: { tags: ['layers'], summary: 'Navigator layer (4.5) of the techniques that probably also happened: for one incident, or across the most recent incidents you may see', querystring: z.object({ incident: z.string().min(1).max(200).optional() }), response: { 200: NavigatorLayerSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      if (request.query.incident) return inferenceLayer(ctx.store, ctx.kb, [await visibleIncident(ctx, request, request.query.incident)], 'incident');
      const page = await incidentPage(ctx.store, { limit: INFERENCE_LAYER_INCIDENTS, offset: 0 }, await ctx.auth.hiddenIncidents(userOf(request)));
      const incidents = [];
      for (const summary of page.incidents) {
        const incident = await ctx.store.getIncident(summary.id);
        if (incident) incidents.push(incident);
      }
      return inferenceLayer(ctx.store, ctx.kb, incidents, 'incidents');
    },
  );
  app.get('/api/rules/history', { config: { access: 'viewer' }, schema: { tags: ['rules'], summary: 'Coverage over time: techniques covered by the stored rule inventory at each import', response: { 200: RuleHistorySchema, ...errorResponses(401) } } }, async () => ruleInventoryHistory(ctx.store));

  app.put(
    '/api/action-items/:id/techniques',
    { config: { access: 'analyst' }, schema: { tags: ['action items'], summary: 'Name the techniques a detection-engineering action item must cover (checked against the rule inventory)', params: IdParams, body: z.object({ techniques: z.array(z.string().min(1).max(64)).min(1).max(100) }), response: { 200: DetectionItemSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const item = await getActionItem(ctx.store, request.params.id);
      if (!item || !(await ctx.auth.canSee(userOf(request), item.incidentId))) throw notFound(`no action item "${request.params.id}"`);
      const d = await setActionItemTechniques(ctx.store, ctx.kb, actorOf(request), item.id, request.body.techniques);
      return { actionItemId: d.actionItemId, incidentId: d.incidentId, title: d.title, techniques: d.techniques, state: d.state, evidence: d.evidence };
    },
  );
  app.post('/api/action-items/verify', { config: { access: 'analyst' }, schema: { tags: ['action items'], summary: 'Re-check every detection-engineering action item against the stored rule inventory', response: { 200: VerificationSchema, ...errorResponses(401, 403) } } }, async (request) => {
    const hidden = await ctx.auth.hiddenIncidents(userOf(request));
    const result = await verifyDetectionItems(ctx.store, ctx.kb, actorOf(request));
    return { importId: result.importId, items: result.items.filter((i) => !hidden.has(i.incidentId)) };
  });
};
