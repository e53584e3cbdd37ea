import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OidcSignIn } from '../../app/accounts/oidc.js';
import { SignInRefused } from '../../app/accounts/oidc-provision.js';
import { changeOwnPassword, WrongPasswordError } from '../../app/accounts/password-change.js';
import { recordSignIn } from '../../app/accounts/sign-in-audit.js';
import type { RouteContext } from '../context.js';
import { HttpError } from '../errors.js';
import { userOf } from '../request-user.js';
import { UserSchema } from '../schemas/auth.js';
import { errorResponses } from '../schemas/errors.js';
import { AuthConfigSchema, PasswordChangeBody } from '../schemas/sign-in.js';
import { SESSION_COOKIE, setSessionCookie } from '../session-cookie.js';

/** The cookie that binds a single sign-on in progress to the browser that started it. */
const FLOW_COOKIE = 'hindsight_oidc_flow';
const FLOW_COOKIE_PATH = '/api/auth/oidc';
/** Single sign-ons one client address may start per minute. */
const SIGN_IN_STARTS_PER_MINUTE = 30;
/** A redirect's (empty) body: where to go is in its Location header. */
const Redirect = z.null();

export const passwordSignInDisabled = () =>
  new HttpError(403, 'password-sign-in-disabled', 'password sign-in is turned off on this server (--oidc-only): sign in with single sign-on; operators keep the command line (hindsight users, hindsight tokens)');

/**
 * Single sign-on (OpenID Connect) and the password change of the signed-in person. The callback
 * answers a browser: success and failure are both redirects, failure to the sign-in screen with a
 * code (`/?signInError=no-role`), never with the provider's words in the address.
 */
export const signInRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const settings = ctx.options.oidc;
  const sso = settings ? new OidcSignIn(ctx.store, settings, ctx.options.oidcRuntime) : undefined;

  app.get('/api/auth/config', { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'How to sign in here: password, single sign-on, or both', response: { 200: AuthConfigSchema } } }, async () => ({
    password: !settings?.only,
    oidc: settings ? { providerName: settings.providerName, loginUrl: '/api/auth/oidc/login' } : null,
  }));

  app.get(
    '/api/auth/oidc/login',
    {
      // Each start writes a short-lived flow record: bounded per client address.
      config: { access: 'public', rateLimit: { max: SIGN_IN_STARTS_PER_MINUTE, timeWindow: 60_000 } },
      schema: { tags: ['auth'], summary: 'Single sign-on: redirects (302) to the identity provider', querystring: z.object({ returnTo: z.string().max(512).optional() }), response: { 302: Redirect.describe('to the identity provider (Location)'), ...errorResponses(400, 404, 429) } },
    },
    async (request, reply) => {
      if (!sso) throw new HttpError(404, 'not-configured', 'single sign-on is not configured on this server (hindsight serve --oidc-issuer ...)');
      let started: Awaited<ReturnType<OidcSignIn['begin']>>;
      try {
        started = await sso.begin(request.query.returnTo);
      } catch (error) {
        request.log.warn({ err: error }, 'single sign-on: the identity provider could not be reached');
        throw new HttpError(502, 'provider-unavailable', 'the identity provider could not be reached; try again, or ask an administrator');
      }
      // SameSite=Lax: the provider's redirect back is a cross-site navigation, and must carry it.
      void reply.setCookie(FLOW_COOKIE, started.flowCookie, { httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', path: FLOW_COOKIE_PATH, maxAge: 600 });
      return reply.redirect(started.authorizationUrl.href, 302);
    },
  );

  app.get(
    '/api/auth/oidc/callback',
    { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'Single sign-on: the provider redirects here; sets the session cookie and redirects (302) to the application', response: { 302: Redirect.describe('to the application, or to /?signInError=CODE (Location)'), ...errorResponses(404) } } },
    async (request, reply) => {
      if (!sso) throw new HttpError(404, 'not-configured', 'single sign-on is not configured on this server');
      const flowCookie = request.cookies[FLOW_COOKIE];
      void reply.clearCookie(FLOW_COOKIE, { httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', path: FLOW_COOKIE_PATH });
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      try {
        const { user, returnTo } = await sso.complete(flowCookie, query);
        const session = await ctx.auth.createSession(user);
        setSessionCookie(request, reply, session.cookie);
        await recordSignIn(ctx.store, { outcome: 'success', username: user.username, address: request.ip, via: 'oidc' });
        return reply.redirect(returnTo, 302);
      } catch (error) {
        if (!(error instanceof SignInRefused)) throw error;
        request.log.warn(`single sign-on refused (${error.code}): ${error.message}`);
        await recordSignIn(ctx.store, { outcome: 'failure', username: '(single sign-on)', address: request.ip, via: 'oidc', reason: `${error.code}: ${error.message}` });
        return reply.redirect(`/?signInError=${encodeURIComponent(error.code)}`, 302);
      }
    },
  );

  app.post(
    '/api/auth/password',
    {
      // The current password is asked for: a stolen session must not be able to guess it at leisure.
      config: { access: 'viewer', rateLimit: { max: 5, timeWindow: 60_000 } },
      schema: { tags: ['auth'], summary: 'Change your own password: ends your other sessions and revokes your API tokens', body: PasswordChangeBody, response: { 200: UserSchema, ...errorResponses(400, 401, 403, 429) } },
    },
    async (request) => ownPasswordChange(ctx, request, request.body),
  );
};

async function ownPasswordChange(ctx: RouteContext, request: FastifyRequest, body: z.infer<typeof PasswordChangeBody>) {
  if (ctx.options.oidc?.only) throw passwordSignInDisabled();
  if (request.authVia !== 'session') throw new HttpError(403, 'session-required', 'change your password signed in with your password, not with an API token');
  try {
    return await changeOwnPassword(ctx.store, userOf(request).username, body.currentPassword, body.newPassword, request.cookies[SESSION_COOKIE]);
  } catch (error) {
    if (error instanceof WrongPasswordError) throw new HttpError(403, 'wrong-password', error.message);
    throw error;
  }
}
