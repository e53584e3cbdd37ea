import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { CSRF_HEADER, SESSION_COOKIE } from '../session-cookie.js';
import { sharedPlugin } from './shared-plugin.js';

/**
 * The OpenAPI document, built from every route's zod schemas (params, query, body and each
 * response; the schemas `nameSchema` named as components), served at /api/openapi.json, and the
 * API reference at /api/docs. Registered before the routes, so that it sees each of them.
 */
export const apiDocs = sharedPlugin('api-docs', async (app) => {
  await app.register((await import('@fastify/swagger')).default, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Hindsight API',
        description: `Post-incident reviews for security operations teams. Sign in with POST /api/auth/login (session cookie + ${CSRF_HEADER} header on writes) or send Authorization: Bearer hs_... (an API token).`,
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => withoutUnusedInputComponents(jsonSchemaTransformObject(document)),
  });
  await app.register((await import('@fastify/swagger-ui')).default, { routePrefix: '/api/docs', staticCSP: false });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
});

type OpenApiDocument = ReturnType<typeof jsonSchemaTransformObject>;

/**
 * Every named schema is written twice, as read (`XInput`) and as written (`X`); the named schemas
 * are answers, so the input forms nothing refers to are left out.
 */
function withoutUnusedInputComponents(document: OpenApiDocument): OpenApiDocument {
  if (!('components' in document)) return document;
  const schemas = document.components?.schemas;
  if (!schemas) return document;
  const refs = (value: unknown) => [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] as string);
  const isInput = (name: string) => name.endsWith('Input');
  const kept = new Set(Object.keys(schemas).filter((name) => !isInput(name)));
  const pending = [...refs({ ...document, components: undefined }), ...[...kept].flatMap((name) => refs(schemas[name]))];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (kept.has(name) || !(name in schemas)) continue;
    kept.add(name);
    pending.push(...refs(schemas[name]));
  }
  // The document was built for this answer alone: trimmed in place.
  for (const name of Object.keys(schemas)) if (!kept.has(name)) delete schemas[name];
  return document;
}
