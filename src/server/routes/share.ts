import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseTlpMax, renderShareExport, shareDocumentOf, SHARE_FORMATS, teamNameOf } from '../../app/share-export.js';
import { storedReviewInputs } from '../../app/review-document.js';
import { buildAttackStory } from '../../export/attack-story.js';
import { layoutAttackStory } from '../../export/attack-story-layout.js';
import { renderAttackStorySvg } from '../../export/attack-story-svg.js';
import type { RouteContext } from '../context.js';
import { userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import { AttackStorySchema, AttackStorySvgResponse, ShareExportResponse } from '../schemas/share.js';
import { IncidentParams, visibleIncident } from './common.js';

const ExportQuery = z.object({
  format: z.enum(SHARE_FORMATS).default('stix').describe('stix (STIX 2.1 bundle, the default), misp (MISP event), attack-flow (Attack Flow 2.0)'),
  tlpMax: z.string().max(20).optional().describe('leave out everything marked above this TLP level: clear, green, amber, amber+strict, red'),
});

/** Sharing: the incident as STIX 2.1, MISP or Attack Flow, and its attack story. */
export const shareRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const team = () => teamNameOf(ctx.options.env ?? process.env);
  const documentOf = async (request: Parameters<typeof userOf>[0], ref: string) => {
    const incident = await visibleIncident(ctx, request, ref);
    const report = await ctx.reports.get(incident, await storedReviewInputs(ctx.store, incident.id, await ctx.rules.index()));
    return shareDocumentOf(ctx.store, ctx.kb, incident, userOf(request), { team: team(), report });
  };

  app.get('/api/incidents/:id/export', { config: { access: 'viewer' }, schema: { tags: ['sharing'], summary: 'Download the incident as a STIX 2.1 bundle, a MISP event or an Attack Flow 2.0 document', params: IncidentParams, querystring: ExportQuery, response: { 200: ShareExportResponse, ...errorResponses(400, 401, 404) } } }, async (request, reply) => {
    const tlpMax = request.query.tlpMax !== undefined ? parseTlpMax(request.query.tlpMax) : undefined;
    const doc = await documentOf(request, request.params.id);
    const exported = renderShareExport(doc, request.query.format, tlpMax);
    return reply.header('content-disposition', `attachment; filename="${exported.filename}"`).type(exported.contentType).send(exported.body);
  });

  app.get('/api/incidents/:id/attack-story.svg', { config: { access: 'viewer' }, schema: { tags: ['sharing'], summary: "The incident's attack story as an SVG image (the picture the report embeds)", params: IncidentParams, response: { 200: AttackStorySvgResponse, ...errorResponses(400, 401, 404) } } }, async (request, reply) => {
    const story = buildAttackStory(await documentOf(request, request.params.id));
    return reply.header('content-disposition', `attachment; filename="attack-story-${story.incidentId}.svg"`).type('image/svg+xml; charset=utf-8').send(renderAttackStorySvg(story));
  });

  app.get('/api/incidents/:id/attack-story', { config: { access: 'viewer' }, schema: { tags: ['sharing'], summary: "The incident's attack story: technique steps in time order by tactic, with the assets and observables involved (the Attack Flow export's data), and its layered layout", params: IncidentParams, response: { 200: AttackStorySchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    const story = buildAttackStory(await documentOf(request, request.params.id));
    const layout = layoutAttackStory(story);
    return { ...story, layout: { ...layout, nodes: layout.nodes.map((n) => ({ key: n.key, id: n.id, x: n.x, y: n.y, width: n.width, height: n.height })) } };
  });
};

