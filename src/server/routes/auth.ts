import { z } from 'zod';
import { clearSessionCookie, CSRF_HEADER, SESSION_COOKIE, setSessionCookie, userOf, type RouteContext, type TypedApp } from '../app.js';
import { HttpError } from '../errors.js';
import { ROLE_DESCRIPTIONS } from '../../model/roles.js';

const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });

export async function registerAuthRoutes(app: TypedApp, ctx: RouteContext): Promise<void> {
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
      schema: { tags: ['auth'], summary: 'Sign in: sets the session cookie; answers the CSRF token writes must send', body: LoginBody },
    },
    async (request, reply) => {
      const user = await ctx.auth.verifyLogin(request.body.username, request.body.password);
      if (!user) throw new HttpError(401, 'bad-credentials', 'the user name or password is wrong, or the account is disabled');
      const session = await ctx.auth.createSession(user);
      setSessionCookie(request, reply, session.cookie);
      return { user, csrfToken: session.csrfToken, csrfHeader: CSRF_HEADER, expiresAt: session.expiresAt };
    },
  );

  app.post('/api/auth/logout', { config: { access: 'viewer' }, schema: { tags: ['auth'], summary: 'Sign out (ends the session)' } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) await ctx.auth.deleteSession(cookie);
    clearSessionCookie(request, reply);
    return { ok: true };
  });

  app.get('/api/auth/me', { config: { access: 'viewer' }, schema: { tags: ['auth'], summary: 'The signed-in user, their role, and the CSRF token for writes' } }, async (request) => {
    const user = userOf(request);
    return { user, via: request.authVia, csrfToken: request.csrfToken ?? null, csrfHeader: CSRF_HEADER, can: ROLE_DESCRIPTIONS[user.role] };
  });
}
