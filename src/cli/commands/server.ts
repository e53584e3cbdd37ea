import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { NotFoundError, UsageError } from '../../model/errors.js';
import { printResult, withStore } from '../services.js';
import { cliActor } from '../actor.js';
import { registerAuditList } from './audit-list.js';

type ServeFlags = import('./serve.js').ServeOptions & { scheduler: boolean };

/**
 * The team server and its administration: `serve`, `users add|list|disable`,
 * `tokens create|list|revoke`, `audit verify|anchor|rotate-key|log|list` and `incidents restrict`. Every write is recorded
 * in the audit trail with the actor `cli:<HINDSIGHT_USER or login name>`.
 */
export const registerServerCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('serve')
    .description('Run the team server and web application (binds 127.0.0.1 unless --host says otherwise)')
    .option('--port <n>', 'port to listen on', (v) => parsePort(v), 4700)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--no-demo', 'do not import the example incidents into an empty store')
    .option('--trust-proxy', 'trust X-Forwarded-* headers from a reverse proxy (for Secure cookies behind TLS termination)')
    .option('--rules <paths...>', 'detection rule files or folders: the ATT&CK matrix then shows coverage and gap layers')
    .option('--no-scheduler', 'do not run the connectors on their schedule (they still run with `hindsight sync` or "Run now") nor send notifications (run `hindsight notify run` from cron instead)')
    .option('--audit-anchor-file <file>', 'append an anchor of the audit trail to this file periodically (default: HINDSIGHT_AUDIT_ANCHOR_FILE)')
    .option('--audit-anchor-every <seconds>', 'how often to write the anchor (default: HINDSIGHT_AUDIT_ANCHOR_INTERVAL, then 3600)', (v) => parsePositive(v, '--audit-anchor-every'))
    .option('--access-log <file>', 'write the access log (one JSON line per request) to this file instead of standard output (default: HINDSIGHT_ACCESS_LOG, then standard output)')
    .option('--no-access-log', 'write no access log')
    .option('--oidc-issuer <url>', 'single sign-on: the OpenID Connect issuer (HINDSIGHT_OIDC_ISSUER); https, or http on loopback only')
    .option('--oidc-client-id <id>', 'single sign-on: the client id registered at the provider (HINDSIGHT_OIDC_CLIENT_ID); the secret, if any, from HINDSIGHT_OIDC_CLIENT_SECRET')
    .option('--public-url <url>', 'where the team reaches this server (HINDSIGHT_PUBLIC_URL): the redirect URI is <url>/api/auth/oidc/callback')
    .option('--oidc-role-claim <claim>', 'the claim whose values map to roles (HINDSIGHT_OIDC_ROLE_CLAIM; default groups)')
    .option('--oidc-role-map <map>', "claim values to roles, e.g. 'sec-analysts=analyst,sec-leads=reviewer,sec-admins=admin' (HINDSIGHT_OIDC_ROLE_MAP)")
    .option('--oidc-username-claim <claim>', 'the claim that gives the user name (HINDSIGHT_OIDC_USERNAME_CLAIM; default preferred_username, then email)')
    .option('--oidc-provider-name <name>', 'the button reads "Sign in with <name>" (HINDSIGHT_OIDC_PROVIDER_NAME; default the issuer\'s host)')
    .option('--oidc-only', 'turn password sign-in off: single sign-on only; the command line stays the operator\'s way in (HINDSIGHT_OIDC_ONLY)')
    .action(async (opts: ServeFlags) => {
      const { runServe } = await import('./serve.js');
      await runServe(ctx, opts);
    });

  const users = program.command('users').description('Local accounts of the team server');
  users
    .command('add')
    .description('Add an account (password read from stdin with --password-stdin)')
    .argument('<name>', 'user name')
    .requiredOption('--role <role>', 'viewer | analyst | reviewer | admin')
    .option('--password-stdin', 'read the password from standard input (one line)')
    .option('--display-name <text>', 'the name shown in the application')
    .option('--email <address>', 'where notifications reach them')
    .option('--service', 'a service account: no password, never signs in interactively, holds API tokens only')
    .action(async (name: string, opts: { role: string; passwordStdin?: boolean; displayName?: string; email?: string; service?: boolean }) => {
      if (opts.service && opts.passwordStdin) throw new UsageError('a service account has no password: leave out --password-stdin and give it a token with `hindsight tokens create --user NAME`');
      const password = opts.passwordStdin ? await readPasswordFromStdin() : undefined;
      await withStore(ctx, async (store) => {
        const { addUser } = await import('../../app/accounts/users.js');
        const user = await addUser(store, { username: name, role: opts.role, password, displayName: opts.displayName, email: opts.email, ...(opts.service ? { kind: 'service' as const } : {}) }, cliActor(ctx));
        printResult(ctx, user, () => `Added ${user.username} (${user.role}${user.kind === 'service' ? ', service account' : ''})${password || user.kind === 'service' ? '' : '; no password set: give one with --password-stdin to let them sign in'}`);
      });
    });
  users
    .command('list')
    .description('List accounts')
    .action(async () => {
      await withStore(ctx, async (store) => {
        const { listUsers } = await import('../../app/accounts/users.js');
        const list = await listUsers(store);
        printResult(ctx, { users: list }, () => [`${list.length} user(s)`, ...list.map((u) => `  ${u.username.padEnd(20)} ${u.role.padEnd(9)} ${u.kind === 'service' ? 'service' : 'person '}  ${u.disabled ? 'disabled' : 'active  '}  ${u.displayName ?? ''}`)].join('\n'));
      });
    });
  users
    .command('disable')
    .description('Disable an account: it can no longer sign in, its sessions end and its tokens stop working')
    .argument('<name>')
    .action(async (name: string) => {
      await withStore(ctx, async (store) => {
        const { disableUser } = await import('../../app/accounts/users.js');
        const user = await disableUser(store, name, cliActor(ctx));
        printResult(ctx, user, () => `Disabled ${user.username}`);
      });
    });
  users
    .command('password')
    .alias('passwd')
    .description("Set an account's password (read from stdin): checked against the password policy; their sessions end and their API tokens are revoked")
    .argument('<name>')
    .requiredOption('--password-stdin', 'read the password from standard input (one line)')
    .option('--must-change', 'make them change it at their next sign-in')
    .action(async (name: string, opts: { mustChange?: boolean }) => {
      const password = await readPasswordFromStdin();
      await withStore(ctx, async (store) => {
        const { updateUser } = await import('../../app/accounts/users.js');
        const user = await updateUser(store, name, { password, mustChangePassword: opts.mustChange === true }, cliActor(ctx));
        printResult(ctx, user, () => `Password of ${user.username} changed; their sessions were signed out and their API tokens revoked${user.mustChangePassword ? '; they must change it at their next sign-in' : ''}`);
      });
    });

  const tokens = program.command('tokens').description('API tokens for automation (Authorization: Bearer ...)');
  tokens
    .command('create')
    .description('Create an API token for a user; the token is shown once')
    .requiredOption('--user <name>', 'the user the token acts as (any enabled user: this is the operator\'s tool)')
    .option('--name <label>', 'what the token is for', 'automation')
    .option('--scope <scope>', 'read | write | admin, never more than the user\'s role (default: the widest it allows)')
    .option('--expires-in <days>', 'days until it expires (default 90; at most HINDSIGHT_TOKEN_MAX_DAYS, default 365)', (v) => parsePositive(v, '--expires-in'))
    .action(async (opts: { user: string; name: string; scope?: string; expiresIn?: number }) => {
      const { createToken, tokenMaxDays } = await import('../../app/accounts/tokens.js');
      const { TOKEN_SCOPES } = await import('../../model/accounts.js');
      const scope = TOKEN_SCOPES.find((s) => s === opts.scope);
      if (opts.scope !== undefined && !scope) throw new UsageError(`--scope must be one of ${TOKEN_SCOPES.join(', ')}, not "${opts.scope}"`);
      const maxDays = tokenMaxDays(ctx.env);
      await withStore(ctx, async (store) => {
        const { token, info } = await createToken(store, opts.user, opts.name, cliActor(ctx), { scope, expiresInDays: opts.expiresIn, maxDays });
        printResult(ctx, { ...info, token }, () => `${token}\nToken ${info.id} for ${info.username} (${info.name}, scope ${info.scope}, expires ${info.expiresAt?.slice(0, 10) ?? 'never'}). It is shown only this once: store it now.`);
      });
    });
  tokens
    .command('list')
    .description('List API tokens (never the tokens themselves)')
    .option('--user <name>')
    .action(async (opts: { user?: string }) => {
      await withStore(ctx, async (store) => {
        const { listTokens } = await import('../../app/accounts/tokens.js');
        const list = await listTokens(store, opts.user);
        printResult(ctx, { tokens: list }, () =>
          [
            `${list.length} token(s)`,
            ...list.map((t) => `  ${t.id}  ${t.username.padEnd(16)} ${t.name.padEnd(20)} ${t.scope.padEnd(5)} created ${t.createdAt.slice(0, 16)}  ${t.revokedAt ? `revoked ${t.revokedAt.slice(0, 16)} (${t.revokedReason ?? 'revoked'})` : `expires ${t.expiresAt?.slice(0, 10) ?? 'never'}  last used ${t.lastUsedAt?.slice(0, 16) ?? 'never'}`}`),
          ].join('\n'),
        );
      });
    });
  tokens
    .command('revoke')
    .description('Revoke an API token by its id')
    .argument('<id>')
    .action(async (id: string) => {
      await withStore(ctx, async (store) => {
        const { revokeToken } = await import('../../app/accounts/tokens.js');
        const info = await revokeToken(store, id, cliActor(ctx));
        printResult(ctx, info, () => `Revoked ${info.id} (${info.username}, ${info.name})`);
      });
    });

  const audit = program.command('audit').description('The audit trail of every write');
  audit
    .command('verify')
    .description('Check the chain of MACs of the audit trail (and against anchors); reports the first broken entry (exit 1)')
    .option('--anchor <file>', 'an anchor file written by `audit anchor -o` or the server: entries removed or rewritten since are found')
    .action(async (opts: { anchor?: string }) => {
      const { readAnchorFile } = await import('../../app/audit-anchor.js');
      const anchors = opts.anchor ? await readAnchorFile(opts.anchor) : [];
      await withStore(ctx, async (store) => {
        const { verifyAuditTrail } = await import('../../app/accounts/audit-log.js');
        const result = await verifyAuditTrail(store, anchors);
        const checked = anchors.length ? `, checked against ${anchors.length} anchor(s)` : ', no anchor given (a removed tail cannot be seen without one)';
        printResult(ctx, result, () =>
          result.ok
            ? `Audit trail intact: ${result.entries} entries${result.unkeyed ? ` (${result.unkeyed} from before keyed MACs)` : ''}, last MAC ${result.lastHash}${checked}`
            : `Audit trail BROKEN at entry ${result.firstBroken?.seq}: ${result.firstBroken?.reason} (${result.entries} entries verified before it)`,
        );
        if (!result.ok) process.exitCode = 1;
      });
    });
  audit
    .command('anchor')
    .description('Write the head of the audit trail (last seq, its MAC, the time) outside the database, for `audit verify --anchor`')
    .option('-o, --output <file>', 'write the anchor to this file (default: print it)')
    .action(async (opts: { output?: string }) => {
      await withStore(ctx, async (store) => {
        const { auditAnchor, writeAnchorFile } = await import('../../app/audit-anchor.js');
        const anchor = await auditAnchor(store);
        if (opts.output) {
          await writeAnchorFile(opts.output, anchor);
          printResult(ctx, anchor, () => `Anchored entry ${anchor.seq} (MAC ${anchor.mac}) in ${opts.output}`);
        } else if (ctx.globals().json) ctx.printJson(anchor);
        else ctx.print(JSON.stringify(anchor));
      });
    });
  audit
    .command('rotate-key')
    .description('Start sealing entries with a new audit key; the rotation is recorded in the trail and old keys stay in the key file')
    .action(async () => {
      await withStore(ctx, async (store) => {
        const { rotateAuditKey } = await import('../../app/audit-anchor.js');
        const rotated = await rotateAuditKey(store, cliActor(ctx));
        printResult(ctx, rotated, () => `Rotated the audit key: ${rotated.previousKeyId} -> ${rotated.keyId} (key file ${rotated.keyFile})`);
      });
    });
  audit
    .command('log')
    .description('Print the newest audit entries')
    .option('--limit <n>', 'how many', (v) => parsePositive(v, '--limit'), 50)
    .option('--entity <type:id>', 'only entries about this entity, e.g. finding:fnd_123')
    .action(async (opts: { limit: number; entity?: string }) => {
      await withStore(ctx, async (store) => {
        const { listAuditLog } = await import('../../app/accounts/audit-log.js');
        const [entityType, entityId] = opts.entity ? opts.entity.split(':', 2) : [undefined, undefined];
        const entries = await listAuditLog(store, { limit: opts.limit, entityType, entityId });
        printResult(ctx, { entries }, () => entries.map((e) => `${String(e.seq).padStart(6)}  ${e.at}  ${e.actor.padEnd(18)} ${e.action.padEnd(20)} ${e.entityType}:${e.entityId}`).join('\n') || 'No audit entries');
      });
    });

  registerAuditList(audit, ctx);

  const incidents = program.commands.find((c) => c.name() === 'incidents') ?? program.command('incidents');
  incidents
    .command('restrict')
    .description('Restrict an incident to named people (everyone else is told it does not exist); --clear lifts it')
    .argument('<incident>', "Hindsight's incident id or the source's own id")
    .option('--to <names>', 'comma-separated user names')
    .option('--clear', 'lift the restriction')
    .action(async (ref: string, opts: { to?: string; clear?: boolean }) => {
      if (Boolean(opts.to) === Boolean(opts.clear)) throw new UsageError('give either --to user1,user2 or --clear');
      await withStore(ctx, async (store) => {
        const incident = await store.getIncident(ref);
        if (!incident) throw new NotFoundError(`no incident "${ref}" in ${store.location}`);
        const names = opts.clear ? [] : (opts.to ?? '').split(',');
        const { restrictIncident } = await import('../../app/accounts/incident-access.js');
        const saved = await restrictIncident(store, incident.id, names, cliActor(ctx));
        printResult(ctx, { incident: incident.id, restrictedTo: saved }, () => (saved.length ? `${incident.id} is now visible only to ${saved.join(', ')}; to everyone else, admins included, it does not exist` : `${incident.id} is visible to everyone signed in`));
      });
    });
};


async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin reads the password from a pipe: printf "%s" "$PASSWORD" | hindsight users add ...');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!password) throw new UsageError('no password on standard input');
  return password;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a number 0-65535, not "${value}"`);
  return n;
}

function parsePositive(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} must be a positive whole number, not "${value}"`);
  return n;
}
