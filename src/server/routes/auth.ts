import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../context.js';
import { HttpError } from '../errors.js';
import { userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import { MeSchema, OkSchema, SignedInSchema } from '../schemas/auth.js';
import { clearSessionCookie, CSRF_HEADER, SESSION_COOKIE, setSessionCookie } from '../session-cookie.js';
import { ROLE_DESCRIPTIONS } from '../../model/roles.js';

const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });

/** Sign-in with a password (session cookie + CSRF token), sign-out, and who is signed in. */
export const authRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.post(
    '/api/auth/login',
    {
      config: {
        access: 'public',
        rateLimit: {
          max: ctx.loginAttemptsPerMinute,
          timeWindow: 60_000,
          keyGenerator: (request) => {
            const body = request.body as { username?: unknown } | undefined;
            return `${request.ip}|${typeof body?.username === 'string' ? body.username.toLowerCase() : ''}`;
          },
        },
      },
      schema: { tags: ['auth'], summary: 'Sign in: sets the session cookie; answers the CSRF token writes must send', body: LoginBody, response: { 200: SignedInSchema, ...errorResponses(400, 401, 429) } },
    },
    async (request, reply) => {
      const user = await ctx.auth.verifySignIn(request.body.username, request.body.password);
      if (!user) throw new HttpError(401, 'bad-credentials', 'the user name or password is wrong, or the account is disabled');
      const session = await ctx.auth.createSession(user);
      setSessionCookie(request, reply, session.cookie);
      return { user, csrfToken: session.csrfToken, csrfHeader: CSRF_HEADER, expiresAt: session.expiresAt };
    },
  );

  app.post('/api/auth/logout', { config: { access: 'viewer' }, schema: { tags: ['auth'], summary: 'Sign out (ends the session)', response: { 200: OkSchema, ...errorResponses(401, 403) } } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) await ctx.auth.endSession(cookie);
    clearSessionCookie(request, reply);
    return { ok: true };
  });

  app.get('/api/auth/me', { config: { access: 'viewer' }, schema: { tags: ['auth'], summary: 'The signed-in user, their role, and the CSRF token for writes', response: { 200: MeSchema, ...errorResponses(401) } } }, async (request) => {
    const user = userOf(request);
    return { user, via: request.authVia, csrfToken: request.csrfToken ?? null, csrfHeader: CSRF_HEADER, can: ROLE_DESCRIPTIONS[user.role] };
  });
};
