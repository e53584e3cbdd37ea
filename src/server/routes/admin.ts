import { readFile, rename, writeFile } from 'node:fs/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditedWrite } from '../../app/audit.js';
import { ROLES } from '../../model/roles.js';
import type { RouteContext } from '../context.js';
import { HttpError } from '../errors.js';
import { actorOf, userOf } from '../request-user.js';
import { AuditLogSchema, AuditVerificationSchema, NewTokenSchema, PolicyDocumentSchema, PolicySavedSchema, TokenListSchema, UserListSchema } from '../schemas/admin.js';
import { ApiTokenInfoSchema, UserSchema } from '../schemas/auth.js';
import { errorResponses } from '../schemas/errors.js';

const Username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'letters, digits, dots, dashes, underscores or @');

/** Accounts, API tokens, the review policy and the audit trail. */
export const adminRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/api/users', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Accounts', response: { 200: UserListSchema, ...errorResponses(401, 403) } } }, async () => ({ users: await ctx.auth.listUsers() }));
  app.post(
    '/api/users',
    { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Add an account', body: z.object({ username: Username, role: z.enum(ROLES), password: z.string().min(12).max(1024), displayName: z.string().max(200).optional(), email: z.string().max(320).optional() }), response: { 201: UserSchema, ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => {
      const user = await ctx.auth.addUser(request.body, actorOf(request));
      return reply.status(201).send(user);
    },
  );
  app.patch(
    '/api/users/:username',
    {
      config: { access: 'admin' },
      schema: { tags: ['admin'], summary: 'Change role, display name, password, or disable', params: z.object({ username: Username }), body: z.object({ role: z.enum(ROLES).optional(), displayName: z.string().max(200).nullable().optional(), email: z.string().max(320).nullable().optional(), password: z.string().min(12).max(1024).optional(), disabled: z.boolean().optional() }), response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      if (request.params.username === actorOf(request) && (request.body.disabled || (request.body.role && request.body.role !== 'admin'))) {
        throw new HttpError(409, 'conflict', 'you cannot disable yourself or take away your own admin role');
      }
      return ctx.auth.updateUser(request.params.username, request.body, actorOf(request));
    },
  );

  app.get('/api/tokens', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'API tokens (never the tokens themselves)', response: { 200: TokenListSchema, ...errorResponses(401, 403) } } }, async () => ({ tokens: await ctx.auth.listTokens() }));
  app.post(
    '/api/tokens',
    { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Create an API token; the token is in this answer only', body: z.object({ username: Username, name: z.string().min(1).max(100).default('automation') }), response: { 201: NewTokenSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      const { token, info } = await ctx.auth.createToken(request.body.username, request.body.name, actorOf(request));
      return reply.status(201).send({ ...info, token });
    },
  );
  app.delete('/api/tokens/:id', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Revoke an API token', params: z.object({ id: z.string().min(1).max(100) }), response: { 200: ApiTokenInfoSchema, ...errorResponses(400, 401, 403, 404) } } }, async (request) =>
    ctx.auth.revokeToken(request.params.id, actorOf(request)),
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
    { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'The audit trail, newest first', querystring: z.object({ entityType: z.string().max(50).optional(), entityId: z.string().max(200).optional(), actor: z.string().max(100).optional(), before: z.coerce.number().int().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }), response: { 200: AuditLogSchema, ...errorResponses(400, 401, 403) } } },
    // Entries about incidents restricted to other people are left out, as everywhere else.
    async (request) => ({ entries: await ctx.auth.auditLogForReader(userOf(request), request.query) }),
  );
  app.get('/api/audit/verify', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Check the hash chain of the audit trail', response: { 200: AuditVerificationSchema, ...errorResponses(401, 403) } } }, async () => ctx.auth.verifyAuditTrail());
};

/** Replaces a file's content atomically (written beside it, then renamed over it). */
async function replaceFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
