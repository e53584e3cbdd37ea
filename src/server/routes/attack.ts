import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AttackMatrix } from '../../model/attack-views.js';
import type { RouteContext } from '../context.js';
import { incidentsShowingTechnique } from '../../app/technique-incidents.js';
import { notFound } from '../errors.js';
import { userOf } from '../request-user.js';
import { AttackMatrixSchema, AttackObjectDescriptionSchema, TechniqueIncidentsSchema } from '../schemas/attack.js';
import { errorResponses } from '../schemas/errors.js';

/** The loaded ATT&CK knowledge base: the matrix, and any object looked up by ID or name. */
export const attackRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  let matrix: AttackMatrix | undefined;
  app.get('/api/attack/matrix', { config: { access: 'viewer' }, schema: { tags: ['attack'], summary: 'The ATT&CK matrix: tactics in order, their techniques and sub-techniques', response: { 200: AttackMatrixSchema, ...errorResponses(401) } } }, async () => {
    if (!matrix) {
      const live = ctx.kb.techniques().filter((t) => !t.deprecated);
      const byId = new Map(live.map((t) => [t.id, t]));
      matrix = {
        version: ctx.kb.meta.version,
        domain: ctx.kb.meta.domain,
        tactics: [...ctx.kb.tactics()]
          .filter((t) => !t.deprecated)
          .sort((a, b) => a.order - b.order)
          .map((tactic) => ({
            id: tactic.id,
            shortname: tactic.shortname,
            name: tactic.name,
            techniques: live
              .filter((t) => !t.isSubtechnique && t.tactics.includes(tactic.shortname))
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((t) => ({ id: t.id, name: t.name, subtechniques: t.subtechniqueIds.flatMap((s) => (byId.has(s) ? [{ id: s, name: byId.get(s)?.name ?? s }] : [])) })),
          })),
      };
    }
    return matrix;
  });

  app.get('/api/attack/:ref', { config: { access: 'viewer' }, schema: { tags: ['attack'], summary: 'Look up an ATT&CK object by ID or name (with the description, mitigations, detections)', params: z.object({ ref: z.string().min(1).max(200) }), response: { 200: AttackObjectDescriptionSchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    const resolved = ctx.kb.lookup(request.params.ref);
    if (!resolved) throw notFound(`no ATT&CK object "${request.params.ref}" in ATT&CK ${ctx.kb.meta.version}`);
    const { describeObject } = await import('../../attack/describe.js');
    return describeObject(ctx.kb, resolved);
  });

  app.get(
    '/api/attack/:ref/incidents',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['attack'],
        summary: 'The incidents that showed a technique (alerts carrying it or one of its sub-techniques), newest first',
        params: z.object({ ref: z.string().min(1).max(200) }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: TechniqueIncidentsSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const resolved = ctx.kb.lookup(request.params.ref);
      if (!resolved || !/^T\d{4}(\.\d{3})?$/.test(resolved.object.id)) throw notFound(`no ATT&CK technique "${request.params.ref}" in ATT&CK ${ctx.kb.meta.version}`);
      const hidden = await ctx.auth.hiddenIncidents(userOf(request));
      return { technique: resolved.object.id, ...(await incidentsShowingTechnique(ctx.store, resolved.object.id, { hidden, limit: request.query.limit })) };
    },
  );
};
