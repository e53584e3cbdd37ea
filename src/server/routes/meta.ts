import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteContext } from '../context.js';
import { OkSchema } from '../schemas/auth.js';

/** GET /api/health: whether the server answers (for load balancers and monitors). */
export const metaRoutes: FastifyPluginAsyncZod<RouteContext> = async (app) => {
  app.get('/api/health', { config: { access: 'public' }, schema: { tags: ['meta'], summary: 'Liveness', response: { 200: OkSchema } } }, async () => ({ ok: true }));
};
