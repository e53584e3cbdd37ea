import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { passwordHashesPending } from '../../app/accounts/passwords.js';
import { recordSignIn } from '../../app/accounts/sign-in-audit.js';
import { limitsFromAttemptsPerMinute, SignInThrottle } from '../../app/accounts/sign-in-throttle.js';
import { z } from 'zod';
import type { RouteContext } from '../context.js';
import { HttpError } from '../errors.js';
import { passwordSignInDisabled } from './sign-in.js';
import { userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import { MeSchema, OkSchema, SignedInSchema } from '../schemas/auth.js';
import { clearSessionCookie, CSRF_HEADER, SESSION_COOKIE, setSessionCookie } from '../session-cookie.js';
import { ROLE_DESCRIPTIONS } from '../../model/roles.js';

/** Sign-ins waiting for their password check beyond which new ones are answered 429 at once. */
const MAX_PENDING_SIGN_INS = 8;

// No account name holds a control character (and PostgreSQL text cannot hold NUL): refused as input.
// eslint-disable-next-line no-control-regex
const LoginBody = z.object({ username: z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'a user name has no control characters'), password: z.string().min(1).max(1024) });

/** Sign-in with a password (session cookie + CSRF token), sign-out, and who is signed in. */
export const authRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  // Failed attempts are counted per address, per user name and over the server (see SignInThrottle);
  // a locked-out attempt is answered 429 with Retry-After before any password is hashed.
  const throttle = new SignInThrottle({ ...limitsFromAttemptsPerMinute(ctx.loginAttemptsPerMinute), ...ctx.options.signInLimits });
  const tooMany = (reply: FastifyReply, retryAfterMs: number, message: string) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    void reply.header('retry-after', String(seconds));
    return new HttpError(429, 'rate-limited', `${message}; try again in ${seconds} s`);
  };
  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: { tags: ['auth'], summary: 'Sign in: sets the session cookie; answers the CSRF token writes must send', body: LoginBody, response: { 200: SignedInSchema, ...errorResponses(400, 401, 429) } },
    },
    async (request, reply) => {
      if (ctx.options.oidc?.only) throw passwordSignInDisabled();
      const { username, password } = request.body;
      const address = request.ip;
      const decision = throttle.check(address, username);
      if (!decision.allowed) throw tooMany(reply, decision.retryAfterMs, `too many failed sign-ins ${decision.key === 'global' ? 'on this server' : decision.key === 'address' ? 'from this address' : 'for this user name'}`);
      if (passwordHashesPending() >= MAX_PENDING_SIGN_INS) throw tooMany(reply, 1000, 'the server is checking too many sign-ins at once');
      const user = await ctx.auth.verifySignIn(username, password);
      if (!user) {
        const { lockouts, firstInWindow } = throttle.fail(address, username);
        if (firstInWindow) await recordSignIn(ctx.store, { outcome: 'failure', username, address, via: 'password', reason: 'bad-credentials' });
        for (const lockout of lockouts) await recordSignIn(ctx.store, { outcome: 'throttled', username, address, via: 'password', lockedKey: lockout.key, failures: lockout.failures, retryAfterSeconds: Math.ceil(lockout.retryAfterMs / 1000) });
        throw new HttpError(401, 'bad-credentials', 'the user name or password is wrong, or the account is disabled');
      }
      throttle.succeed(username);
      await recordSignIn(ctx.store, { outcome: 'success', username: user.username, address, via: 'password' });
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
