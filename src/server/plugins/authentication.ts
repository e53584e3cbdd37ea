import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Accounts } from '../../app/accounts/index.js';
import type { TokenScope, User } from '../../model/accounts.js';
import { roleAllows } from '../../model/roles.js';
import type { Access, RouteAccess } from '../context.js';
import { forbidden, HttpError, unauthenticated } from '../errors.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../session-cookie.js';
import { sharedPlugin } from './shared-plugin.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every API route must say. */
    access?: Access;
  }
  interface FastifyRequest {
    /** The signed-in user, if any. */
    user?: User;
    /** How they signed in: the session cookie, or an API token. */
    authVia?: 'session' | 'token';
    /** The session's CSRF token (session sign-ins only). */
    csrfToken?: string;
    /** The API token's scope (token sign-ins only); `user.role` is already capped by it. */
    tokenScope?: TokenScope;
  }
  interface FastifyInstance {
    /** Every route and who may call it, as declared. */
    routeTable: RouteAccess[];
    /** The account use cases the server signs people in with. */
    auth: Accounts;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** All an account that must change its password may do until it has: see who it is, change it, sign out. */
const WHILE_PASSWORD_MUST_CHANGE = new Set(['GET /api/auth/me', 'POST /api/auth/password', 'POST /api/auth/logout']);

/** Routes that are public without saying so: the API reference and the web application. */
function implicitlyPublic(url: string): boolean {
  return url.startsWith('/api/docs') || url === '/api/openapi.json' || !url.startsWith('/api');
}

/**
 * Authentication, roles and CSRF for every route, from the route's declared `config.access`:
 * the request is decorated with the user, how they signed in and the CSRF token, before the body
 * is even parsed, so nobody learns anything about a route they may not call. A route that declares
 * no access is refused when it is registered.
 */
export const authentication = sharedPlugin<{ accounts: Accounts }>('authentication', async (app, { accounts }) => {
  const routeTable: RouteAccess[] = [];
  app.decorate('routeTable', routeTable);
  app.decorate('auth', accounts);
  app.decorateRequest('user', undefined);
  app.decorateRequest('authVia', undefined);
  app.decorateRequest('csrfToken', undefined);
  app.decorateRequest('tokenScope', undefined);

  app.addHook('onRoute', (route) => {
    const access = route.config?.access ?? (implicitlyPublic(route.url) ? 'public' : undefined);
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} declares no access: every API route must say who may call it`);
    route.config = { ...route.config, access };
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: route.url, access });
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access ?? 'public';
    await identify(accounts, request);
    if (access === 'public') return;
    if (!request.user) throw unauthenticated();
    if (!roleAllows(request.user.role, access)) throw forbidden(access);
    if (request.authVia === 'session' && !READS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !request.csrfToken || !safeEqual(sent, request.csrfToken)) {
        throw new HttpError(403, 'csrf', `writes signed in with the session cookie must send the ${CSRF_HEADER} header (from /api/auth/me)`);
      }
    }
    if (request.user.mustChangePassword && !WHILE_PASSWORD_MUST_CHANGE.has(`${request.method} ${request.routeOptions.url ?? ''}`)) {
      throw new HttpError(403, 'password-change-required', 'change your password first (POST /api/auth/password): this account was given a generated password');
    }
  });
});

/** Signs the request in from its bearer token or session cookie; an unknown token is refused outright. */
async function identify(accounts: Accounts, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  if (header && /^bearer /i.test(header)) {
    const signIn = await accounts.userOfToken(header.slice(7).trim());
    if (!signIn) throw new HttpError(401, 'unauthenticated', 'the API token is unknown, expired, revoked, or its user is disabled');
    // The user as the token may act: their role lowered to the token's scope (see effectiveRole).
    request.user = signIn.user;
    request.authVia = 'token';
    request.tokenScope = signIn.scope;
    return;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return;
  const session = await accounts.userOfSession(cookie);
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
