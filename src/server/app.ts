import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { serializerCompiler, validatorCompiler, jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { KnowledgeBase } from '../attack/types.js';
import { AuthStore, SESSION_TTL_MS, type User } from '../auth/auth-store.js';
import { roleAllows, type Role } from '../model/roles.js';
import type { OpenedStore } from '../store/index.js';
import { forbidden, handleError, HttpError, unauthenticated } from './errors.js';

export const SESSION_COOKIE = 'hindsight_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Who may call a route: `public` (no sign-in), `user` (anyone signed in), or a minimum role. */
export type Access = 'public' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    user?: User;
    authVia?: 'session' | 'token';
    csrfToken?: string;
  }
}

export interface ServerOptions {
  store: OpenedStore;
  kb: KnowledgeBase;
  /** Built web application (web/dist); served at / when it exists. */
  webRoot?: string | null;
  /** Trust X-Forwarded-* (for Secure cookies behind a TLS-terminating proxy). */
  trustProxy?: boolean;
  logger?: boolean;
  /** Sign-in attempts allowed per client address and user name per minute (default 5). */
  loginAttemptsPerMinute?: number;
  /** Detection rule files or folders (Sigma, Sentinel, Elastic, Splunk...): enables the coverage and gap layers. */
  rules?: string[];
  /** The review policy file the server reads and (for admins) writes. */
  policyFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Compute the attribution of incidents in idle time once listening and after imports (default true). */
  precomputeAttribution?: boolean;
}

/** One declared route and who may call it. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

export type App = FastifyInstance & { routeTable: RouteAccess[]; auth: AuthStore };
export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/**
 * The team server: the REST API under /api (every route declares who may call it, validates its
 * input with zod and documents itself in the OpenAPI document), the API reference at /api/docs,
 * and the web application at /.
 */
export async function buildServer(options: ServerOptions): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 2 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || !options.webRoot || !existsSync(options.webRoot) || request.method !== 'GET') {
      void reply.status(404).send({ error: { code: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
      return;
    }
    // Client-side routes of the web application.
    void reply.type('text/html').sendFile('index.html');
  });

  const auth = new AuthStore(options.store.snake);
  const routeTable: RouteAccess[] = [];
  app.addHook('onRoute', (route) => {
    const access = route.config?.access ?? (route.url.startsWith('/api/docs') || route.url === '/api/openapi.json' || !route.url.startsWith('/api') ? 'public' : undefined);
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} declares no access: every API route must say who may call it`);
    route.config = { ...route.config, access };
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: route.url, access });
  });

  await app.register((await import('@fastify/cookie')).default);
  await app.register((await import('@fastify/rate-limit')).default, { global: false, hook: 'preHandler' });
  await app.register((await import('@fastify/multipart')).default, { limits: { fileSize: 50 * 1024 * 1024, files: 20 } });
  await app.register((await import('@fastify/swagger')).default, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Hindsight API', description: 'Post-incident reviews for security operations teams. Sign in with POST /api/auth/login (session cookie + x-csrf-token header on writes) or send Authorization: Bearer hs_... (an API token).', version: '0.1.0' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register((await import('@fastify/swagger-ui')).default, { routePrefix: '/api/docs', staticCSP: false });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('x-frame-options', 'DENY');
    void reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
  });

  // Authentication, roles and CSRF, for every route, from the route's declared access; before the
  // body is even parsed, so nobody learns anything about a route they may not call.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access ?? 'public';
    await identify(auth, request);
    if (access === 'public') return;
    if (!request.user) throw unauthenticated();
    if (!roleAllows(request.user.role, access)) throw forbidden(access);
    if (request.authVia === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !request.csrfToken || !safeEqual(sent, request.csrfToken)) {
        throw new HttpError(403, 'csrf', `writes signed in with the session cookie must send the ${CSRF_HEADER} header (from /api/auth/me)`);
      }
    }
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  const { registerAuthRoutes } = await import('./routes/auth.js');
  const { registerIncidentRoutes } = await import('./routes/incidents.js');
  const { registerReviewRoutes } = await import('./routes/review.js');
  const { registerAdminRoutes } = await import('./routes/admin.js');
  const { registerAttackRoutes } = await import('./routes/attack.js');
  const { ReportCache } = await import('./report-cache.js');
  const { AttributionCache, AttributionWarmer } = await import('./attribution-cache.js');
  const attribution = new AttributionCache(options.store.snake, options.kb);
  // The background work below runs only when the server is idle: no request in flight, and none
  // started or finished for the last 100 ms (a server under steady load is left alone).
  let inFlight = 0;
  let lastActivity = 0;
  app.addHook('onRequest', async (_request, reply) => {
    inFlight += 1;
    lastActivity = performance.now();
    // 'close' comes once per response: sent, failed or abandoned by the client.
    reply.raw.once('close', () => {
      inFlight -= 1;
      lastActivity = performance.now();
    });
  });
  const busy = () => inFlight > 0 || performance.now() - lastActivity < 100;
  const { getIncident } = await import('../store/read.js');
  const warmer = new AttributionWarmer(attribution, (id) => getIncident(options.store.snake, id, { raw: false }), busy);
  // Once listening, the attribution of every incident whose stored answer is missing or stale is
  // computed in idle time, so that opening any review for the first time costs no ranking.
  if (options.precomputeAttribution !== false) app.addHook('onListen', async () => warmer.run());
  app.addHook('onClose', async () => warmer.stop());
  const context = {
    auth,
    store: options.store,
    kb: options.kb,
    options,
    loginAttemptsPerMinute: options.loginAttemptsPerMinute ?? 5,
    reports: new ReportCache(options.kb, attribution),
    afterImport: () => {
      if (options.precomputeAttribution !== false) warmer.run();
    },
  };
  await registerAuthRoutes(typed, context);
  await registerIncidentRoutes(typed, context);
  await registerReviewRoutes(typed, context);
  await registerAttackRoutes(typed, context);
  await registerAdminRoutes(typed, context);

  typed.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  typed.get('/api/health', { config: { access: 'public' }, schema: { tags: ['meta'], summary: 'Liveness' } }, async () => ({ ok: true }));

  if (options.webRoot && existsSync(options.webRoot)) {
    await app.register((await import('@fastify/static')).default, { root: options.webRoot, prefix: '/', wildcard: false, index: ['index.html'] });
  }

  const out = app as unknown as App;
  out.routeTable = routeTable;
  out.auth = auth;
  return out;
}

export interface RouteContext {
  auth: AuthStore;
  store: OpenedStore;
  kb: KnowledgeBase;
  options: ServerOptions;
  loginAttemptsPerMinute: number;
  reports: import('./report-cache.js').ReportCache;
  /** Called after an import changed incidents (starts the background attribution). */
  afterImport: () => void;
}

async function identify(auth: AuthStore, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  if (header && /^bearer /i.test(header)) {
    const user = await auth.tokenUser(header.slice(7).trim());
    if (!user) throw new HttpError(401, 'unauthenticated', 'the API token is unknown, revoked, or its user is disabled');
    request.user = user;
    request.authVia = 'token';
    return;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return;
  const session = await auth.sessionUser(cookie);
  if (!session) return;
  request.user = session.user;
  request.authVia = 'session';
  request.csrfToken = session.csrfToken;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Secure when the request came over TLS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string): void {
  void reply.setCookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: '/' });
}

/** The signed-in user (routes other than public ones always have one). */
export function userOf(request: FastifyRequest): User {
  if (!request.user) throw unauthenticated();
  return request.user;
}

/** The audit actor of a request. */
export function actorOf(request: FastifyRequest): string {
  return userOf(request).username;
}
