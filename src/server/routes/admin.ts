import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { auditEntryForReader, recordAudit, listAudit, verifyAuditChain, writeAudited, type AuditEntry } from '../../auth/audit.js';
import { ROLES } from '../../model/roles.js';
import { actorOf, userOf, type RouteContext, type TypedApp } from '../app.js';
import { HttpError } from '../errors.js';

const Username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'letters, digits, dots, dashes, underscores or @');

export async function registerAdminRoutes(app: TypedApp, ctx: RouteContext): Promise<void> {
  app.get('/api/users', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Accounts' } }, async () => ({ users: await ctx.auth.listUsers() }));
  app.post(
    '/api/users',
    { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Add an account', body: z.object({ username: Username, role: z.enum(ROLES), password: z.string().min(12).max(1024), displayName: z.string().max(200).optional() }) } },
    async (request, reply) => {
      const user = await ctx.auth.addUser(request.body, actorOf(request));
      return reply.status(201).send(user);
    },
  );
  app.patch(
    '/api/users/:username',
    {
      config: { access: 'admin' },
      schema: { tags: ['admin'], summary: 'Change role, display name, password, or disable', params: z.object({ username: Username }), body: z.object({ role: z.enum(ROLES).optional(), displayName: z.string().max(200).nullable().optional(), password: z.string().min(12).max(1024).optional(), disabled: z.boolean().optional() }) },
    },
    async (request) => {
      if (request.params.username === actorOf(request) && (request.body.disabled || (request.body.role && request.body.role !== 'admin'))) {
        throw new HttpError(409, 'conflict', 'you cannot disable yourself or take away your own admin role');
      }
      return ctx.auth.updateUser(request.params.username, request.body, actorOf(request));
    },
  );

  app.get('/api/tokens', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'API tokens (never the tokens themselves)' } }, async () => ({ tokens: await ctx.auth.listTokens() }));
  app.post(
    '/api/tokens',
    { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Create an API token; the token is in this answer only', body: z.object({ username: Username, name: z.string().min(1).max(100).default('automation') }) } },
    async (request, reply) => {
      const { token, info } = await ctx.auth.createToken(request.body.username, request.body.name, actorOf(request));
      return reply.status(201).send({ ...info, token });
    },
  );
  app.delete('/api/tokens/:id', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Revoke an API token', params: z.object({ id: z.string().min(1).max(100) }) } }, async (request) =>
    ctx.auth.revokeToken(request.params.id, actorOf(request)),
  );

  app.get('/api/policy', { config: { access: 'viewer' }, schema: { tags: ['policy'], summary: 'The review policy: which incidents need a full review' } }, async () => {
    const { loadPolicy } = await import('../../review/policy.js');
    const loaded = loadPolicy({ file: ctx.options.policyFile, env: ctx.options.env });
    return { ...loaded, yaml: await readFile(loaded.file, 'utf8'), editable: Boolean(ctx.options.policyFile) };
  });
  app.put(
    '/api/policy',
    { config: { access: 'admin' }, schema: { tags: ['policy'], summary: 'Replace the review policy (YAML; validated before it is written)', body: z.object({ yaml: z.string().min(1).max(200_000) }) } },
    async (request) => {
      if (!ctx.options.policyFile) throw new HttpError(409, 'not-editable', 'the server runs on the shipped default policy; start it with HINDSIGHT_POLICY=FILE to edit the policy here');
      const { parsePolicy, loadPolicy } = await import('../../review/policy.js');
      const file = ctx.options.policyFile;
      const before = loadPolicy({ file, env: ctx.options.env });
      const beforeText = await readFile(before.file, 'utf8');
      const policy = parsePolicy(request.body.yaml, 'policy');
      // The audit entry is appended first and the file replaced inside the same transaction: a
      // refused entry leaves the file alone, and a failed commit puts the previous file back.
      let replaced = false;
      try {
        await writeAudited(ctx.store.snake, async (trx) => {
          await recordAudit(trx, { actor: actorOf(request), action: 'policy.update', entityType: 'policy', entityId: file, before: before.policy, after: policy });
          await replaceFile(file, request.body.yaml);
          replaced = true;
          return { result: undefined, audit: null };
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
    { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'The audit trail, newest first', querystring: z.object({ entityType: z.string().max(50).optional(), entityId: z.string().max(200).optional(), actor: z.string().max(100).optional(), before: z.coerce.number().int().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }) } },
    async (request) => {
      // Entries about incidents restricted to other people are left out, as everywhere else.
      const hidden = await ctx.auth.hiddenIncidents(userOf(request));
      const { limit } = request.query;
      if (hidden.size === 0) return { entries: await listAudit(ctx.store.snake, request.query) };
      const entries: AuditEntry[] = [];
      let before = request.query.before;
      while (entries.length < limit) {
        const page = await listAudit(ctx.store.snake, { ...request.query, before, limit });
        for (const entry of page) {
          const shown = auditEntryForReader(entry, hidden);
          if (shown && entries.length < limit) entries.push(shown);
        }
        const last = page[page.length - 1];
        if (page.length < limit || !last) break;
        before = last.seq;
      }
      return { entries };
    },
  );
  app.get('/api/audit/verify', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Check the hash chain of the audit trail' } }, async () => verifyAuditChain(ctx.store.snake));
}

/** Replaces a file's content atomically (written beside it, then renamed over it). */
async function replaceFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
