import { readFile, rename, writeFile } from 'node:fs/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createTokenFor, tokenMaxDays, TokenRequestRefused } from '../../app/accounts/tokens.js';
import { AUDIT_ACTIONS } from '../../app/audit-filters.js';
import { auditedWrite } from '../../app/audit.js';
import { incidentIdOf } from '../../app/incidents.js';
import { TOKEN_SCOPES, USER_KINDS } from '../../model/accounts.js';
import { ROLES } from '../../model/roles.js';
import type { RouteContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { actorOf, userOf } from '../request-user.js';
import { AuditLogSchema, AuditVerificationSchema, NewTokenSchema, PolicyDocumentSchema, PolicySavedSchema, TokenListSchema, UserListSchema } from '../schemas/admin.js';
import { ApiTokenInfoSchema, UserSchema } from '../schemas/auth.js';
import { AuditListQuery } from '../schemas/audit-query.js';
import { errorResponses } from '../schemas/errors.js';

const Username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'letters, digits, dots, dashes, underscores or @');

/** Accounts, API tokens, the review policy and the audit trail. */
export const adminRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/api/users', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Accounts', response: { 200: UserListSchema, ...errorResponses(401, 403) } } }, async () => ({ users: await ctx.auth.listUsers() }));
  app.post(
    '/api/users',
    { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Add an account', body: z.object({ username: Username, role: z.enum(ROLES), password: z.string().min(12).max(1024).optional().describe('required for a person; a service account has none'), kind: z.enum(USER_KINDS).default('person').describe('`service`: holds API tokens only, never signs in interactively'), displayName: z.string().max(200).optional(), email: z.string().max(320).optional() }), response: { 201: UserSchema, ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => {
      if (request.body.kind === 'person' && request.body.password === undefined) throw new HttpError(400, 'invalid-input', 'body/password: a person needs a password (a service account has none)');
      const user = await ctx.auth.addUser(request.body, actorOf(request));
      return reply.status(201).send(user);
    },
  );
  app.patch(
    '/api/users/:username',
    {
      config: { access: 'admin' },
      schema: { tags: ['admin'], summary: 'Change role, display name, e-mail, password (checked against the password policy; ends their sessions and revokes their tokens), must-change-password, or disable', params: z.object({ username: Username }), body: z.object({ role: z.enum(ROLES).optional(), displayName: z.string().max(200).nullable().optional(), email: z.string().max(320).nullable().optional(), password: z.string().min(12).max(1024).optional(), disabled: z.boolean().optional(), mustChangePassword: z.boolean().optional() }), response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      if (request.params.username === actorOf(request) && (request.body.disabled || (request.body.role && request.body.role !== 'admin'))) {
        throw new HttpError(409, 'conflict', 'you cannot disable yourself or take away your own admin role');
      }
      return ctx.auth.updateUser(request.params.username, request.body, actorOf(request));
    },
  );

  // API tokens: everyone lists, creates and revokes their own; admins list and revoke anyone's, and
  // create them for service accounts only. Nobody can create one for another person: no API path
  // lets one person act as another (the operator's `hindsight tokens create --user` is the exception).
  app.get(
    '/api/tokens',
    { config: { access: 'viewer' }, schema: { tags: ['tokens'], summary: 'API tokens with scope, expiry and last use (never the tokens themselves): your own; an admin sees everyone\'s', querystring: z.object({ username: Username.optional() }), response: { 200: TokenListSchema, ...errorResponses(400, 401) } } },
    async (request) => {
      const me = userOf(request);
      if (me.role !== 'admin') return { tokens: await ctx.auth.listTokens(me.username) };
      return { tokens: await ctx.auth.listTokens(request.query.username) };
    },
  );
  app.post(
    '/api/tokens',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for yourself (admins: or for a service account); the token is in this answer only',
        body: z.object({
          username: Username.optional().describe('whose token: yourself when absent; another name only for an admin creating a service account\'s token'),
          name: z.string().min(1).max(100).default('automation'),
          scope: z.enum(TOKEN_SCOPES).optional().describe('read, write or admin; never more than the owner\'s role (default: the widest it allows)'),
          expiresInDays: z.number().int().min(1).max(3650).optional().describe('default 90; at most HINDSIGHT_TOKEN_MAX_DAYS (365)'),
        }),
        response: { 201: NewTokenSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      try {
        const { token, info } = await createTokenFor(ctx.store, userOf(request), request.body, tokenMaxDays(ctx.options.env ?? process.env));
        return reply.status(201).send({ ...info, token });
      } catch (error) {
        if (error instanceof TokenRequestRefused) throw new HttpError(403, 'forbidden', error.message);
        throw error;
      }
    },
  );
  app.delete(
    '/api/tokens/:id',
    { config: { access: 'viewer' }, schema: { tags: ['tokens'], summary: 'Revoke an API token (your own; an admin: anyone\'s)', params: z.object({ id: z.string().min(1).max(100) }), response: { 200: ApiTokenInfoSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const me = userOf(request);
      const info = await ctx.auth.tokenInfo(request.params.id);
      // Someone else's token is not there for a non-admin, as an unknown id is not.
      if (!info || (info.username !== me.username && me.role !== 'admin')) throw notFound(`no API token with id "${request.params.id}"`);
      return ctx.auth.revokeToken(request.params.id, me.username);
    },
  );

  app.get('/api/policy', { config: { access: 'viewer' }, schema: { tags: ['policy'], summary: 'The review policy: which incidents need a full review', response: { 200: PolicyDocumentSchema, ...errorResponses(401) } } }, async () => {
    const { loadPolicy } = await import('../../review/policy.js');
    const loaded = loadPolicy({ file: ctx.options.policyFile, env: ctx.options.env });
    return { ...loaded, yaml: await readFile(loaded.file, 'utf8'), editable: Boolean(ctx.options.policyFile) };
  });
  app.put(
    '/api/policy',
    { config: { access: 'admin' }, schema: { tags: ['policy'], summary: 'Replace the review policy (YAML; validated before it is written)', body: z.object({ yaml: z.string().min(1).max(200_000) }), response: { 200: PolicySavedSchema, ...errorResponses(400, 401, 403, 409) } } },
    async (request) => {
      if (!ctx.options.policyFile) throw new HttpError(409, 'not-editable', 'the server runs on the shipped default policy; start it with HINDSIGHT_POLICY=FILE to edit the policy here');
      const { parsePolicy, loadPolicy } = await import('../../review/policy.js');
      const file = ctx.options.policyFile;
      const before = loadPolicy({ file, env: ctx.options.env });
      const beforeText = await readFile(before.file, 'utf8');
      const policy = parsePolicy(request.body.yaml, 'policy');
      // The file is replaced inside the transaction that appends the audit entry: a refused entry
      // or a failed commit puts the previous file back.
      let replaced = false;
      try {
        await auditedWrite(ctx.store, { actor: actorOf(request), operation: 'policy.update' }, async () => {
          await replaceFile(file, request.body.yaml);
          replaced = true;
          return { result: undefined, entityId: file, before: before.policy, after: policy };
        });
      } catch (error) {
        if (replaced) await replaceFile(file, beforeText);
        throw error;
      }
      return { policy, file };
    },
  );

  app.get(
    '/api/audit',
    {
      config: { access: 'reviewer' },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail, newest first, filtered by actor, action, incident and time; entries the reader may not see are counted',
        querystring: AuditListQuery,
        response: { 200: AuditLogSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    // Admins see every entry (those about incidents restricted to others without their content);
    // reviewers see the entries about incidents they may see, and a count of the others.
    async (request) => {
      const reader = userOf(request);
      const { incident: ref, action, ...query } = request.query;
      let incident: string | undefined;
      if (ref) {
        incident = reader.role === 'admin' ? await incidentIdOf(ctx.store, ref) : await ctx.auth.visibleIncidentId(reader, ref);
        if (!incident) throw notFound(`no incident "${ref}"`);
      }
      return ctx.auth.auditPageForReader(reader, { ...query, ...(action ? { actions: action } : {}), ...(incident ? { incident } : {}) });
    },
  );
  app.get(
    '/api/audit/actions',
    { config: { access: 'reviewer' }, schema: { tags: ['audit'], summary: 'The actions the audit trail records (the values of the action filter)', response: { 200: z.object({ actions: z.array(z.string()) }), ...errorResponses(401, 403) } } },
    async () => ({ actions: [...AUDIT_ACTIONS] }),
  );
  app.get('/api/audit/verify', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Check the hash chain of the audit trail', response: { 200: AuditVerificationSchema, ...errorResponses(401, 403) } } }, async () => ctx.auth.verifyAuditTrail());
};

/** Replaces a file's content atomically (written beside it, then renamed over it). */
async function replaceFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
