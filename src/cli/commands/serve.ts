import { open, readdir, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oidcSettingsFrom, type OidcFlags } from '../../app/accounts/oidc-settings.js';
import { UsageError } from '../../model/errors.js';
import type { OpenedStore } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { loadKnowledgeBaseOrDownloadFor } from '../services.js';

/** The built web application (`web/dist` at the package root; same depth from src/ and dist/). */
export function webRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web', 'dist');
}

export interface ServeOptions extends OidcFlags {
  port: number;
  host: string;
  /** Import the examples into an empty store. */
  demo: boolean;
  trustProxy?: boolean;
  rules?: string[];
  /** Run enabled connectors on their schedule (`--no-scheduler`: false). */
  scheduler?: boolean;
  /** Append an anchor of the audit trail to this file periodically. */
  auditAnchorFile?: string;
  /** Seconds between anchors. */
  auditAnchorEvery?: number;
  /** Where the access log goes (`-`: standard output); false: none. */
  accessLog?: string | false;
}

/**
 * `hindsight serve`: opens the store (the embedded default unless --db/DATABASE_URL says
 * otherwise), imports the examples into an empty store, creates a first admin account with a
 * random password written to a file only its owner can read (never printed: service logs keep
 * stdout), and serves the API and web application until interrupted.
 */
export async function runServe(ctx: CliContext, opts: ServeOptions): Promise<void> {
  // Checked before anything is opened: a wrong single sign-on setting stops here with one line.
  const oidc = oidcSettingsFrom(opts, ctx.env);
  const kb = await loadKnowledgeBaseOrDownloadFor(ctx);
  const { openStore } = await import('../../store/index.js');
  const store = await openStore({ db: ctx.globals().db, env: ctx.env });
  try {
    if (opts.demo && (await store.listIncidents({ limit: 1 })).length === 0) {
      const { examplesDir } = await import('./demo.js');
      const dir = examplesDir();
      const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
      const { importFiles } = await import('../../app/import.js');
      const result = await importFiles(store, files, { env: ctx.env, audit: { actor: 'hindsight-serve' } });
      ctx.warn(`The store was empty: imported the ${result.summary.incidents} example incidents (hindsight serve --no-demo skips this).`);
    }
    // With password sign-in off, a generated password would open nothing: the role map gives admins.
    const firstLogin = oidc?.only ? undefined : await firstAdmin(store, ctx.env);
    const { buildServer } = await import('../../server/app.js');
    const app = await buildServer({ store, kb, webRoot: webRoot(), trustProxy: opts.trustProxy, rules: opts.rules, logger: false, accessLog: accessLogOf(ctx, opts), upload: uploadLimitsOf(ctx), policyFile: ctx.env.HINDSIGHT_POLICY?.trim() || undefined, env: ctx.env, oidc, connectorScheduler: { enabled: opts.scheduler !== false, log: (line) => ctx.warn(`${new Date().toISOString()} ${line}`) }, notifier: { enabled: opts.scheduler !== false, log: (line) => ctx.warn(`${new Date().toISOString()} ${line}`) } });
    const address = await app.listen({ port: opts.port, host: opts.host }).catch((error: unknown) => {
      throw new UsageError(`cannot listen on ${opts.host}:${opts.port}: ${error instanceof Error ? error.message : String(error)}`);
    });
    ctx.print(servingMessage(store.location, address, opts.host, firstLogin));
    if (oidc) ctx.print(`Single sign-on with ${oidc.providerName} (${oidc.issuer.href}); redirect URI to register: ${new URL('api/auth/oidc/callback', oidc.publicUrl.href.endsWith('/') ? oidc.publicUrl : `${oidc.publicUrl.href}/`).href}${oidc.only ? '; password sign-in is off' : ''}`);
    const stopAnchors = await startAnchors(ctx, store, opts);
    await new Promise<void>((done) => {
      const stop = () => {
        stopAnchors();
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void app.close().then(() => done());
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  } finally {
    await store.close();
  }
}

/** The access log's destination: the flag, then HINDSIGHT_ACCESS_LOG (a path, `-` or `off`), then standard output. */
function accessLogOf(ctx: CliContext, opts: ServeOptions): string | undefined {
  if (opts.accessLog === false) return undefined;
  const chosen = opts.accessLog ?? (ctx.env.HINDSIGHT_ACCESS_LOG?.trim() || '-');
  return chosen === 'off' ? undefined : chosen;
}

/** HINDSIGHT_UPLOAD_MAX_MB: the most an import upload may hold in all (default 256). */
function uploadLimitsOf(ctx: CliContext): { maxTotalBytes: number } | undefined {
  const raw = ctx.env.HINDSIGHT_UPLOAD_MAX_MB?.trim();
  if (!raw) return undefined;
  if (!/^[1-9]\d{0,5}$/.test(raw)) throw new UsageError(`HINDSIGHT_UPLOAD_MAX_MB must be a whole number of megabytes, not "${raw}"`);
  return { maxTotalBytes: Number(raw) * 1024 * 1024 };
}

/** Publishes anchors of the audit trail to a file while the server runs, when one is configured. */
async function startAnchors(ctx: CliContext, store: OpenedStore, opts: ServeOptions): Promise<() => void> {
  const file = opts.auditAnchorFile ?? (ctx.env.HINDSIGHT_AUDIT_ANCHOR_FILE?.trim() || undefined);
  if (!file) return () => undefined;
  const rawInterval = ctx.env.HINDSIGHT_AUDIT_ANCHOR_INTERVAL?.trim();
  if (opts.auditAnchorEvery === undefined && rawInterval && !/^[1-9]\d{0,6}$/.test(rawInterval)) {
    throw new UsageError(`HINDSIGHT_AUDIT_ANCHOR_INTERVAL must be a whole number of seconds, not "${rawInterval}"`);
  }
  const seconds = opts.auditAnchorEvery ?? (rawInterval ? Number(rawInterval) : 3600);
  const { publishAnchorsPeriodically } = await import('../../app/audit-anchor.js');
  ctx.warn(`Anchoring the audit trail in ${resolve(file)} every ${seconds} s`);
  return publishAnchorsPeriodically(store, resolve(file), seconds * 1000, (message) => ctx.warn(`hindsight: ${message}`));
}

/**
 * With no account yet, creates `admin` with a random password that must be changed at its first
 * sign-in, and writes the password to a file readable by its owner only (0600); returns the file.
 * The file sits beside a SQLite database, in the working directory otherwise
 * (HINDSIGHT_FIRST_PASSWORD_FILE names another place).
 */
async function firstAdmin(store: OpenedStore, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const { addUser, countUsers, generatePassword } = await import('../../app/accounts/index.js');
  if ((await countUsers(store)) > 0) return undefined;
  const file = resolve(env.HINDSIGHT_FIRST_PASSWORD_FILE?.trim() || (store.kind === 'sqlite' ? `${store.location}.admin-password` : 'hindsight-admin-password'));
  const password = generatePassword();
  await writeSecretFile(file, `${password}\n`);
  await addUser(store, { username: 'admin', role: 'admin', password, displayName: 'Administrator', mustChangePassword: true }, 'hindsight-serve');
  return file;
}

/** Writes a new file only its owner may read: a stale one is removed first, so the mode always applies. */
async function writeSecretFile(file: string, text: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw new UsageError(`cannot replace ${file}: ${error.message}`);
  });
  const handle = await open(file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write the first admin password to ${file}: ${error.message} (set HINDSIGHT_FIRST_PASSWORD_FILE)`);
  });
  try {
    await handle.chmod(0o600);
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}

/** Where the server listens, and how to sign in. */
function servingMessage(location: string, address: string, host: string, firstLogin: string | undefined): string {
  const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  const lines = [`Hindsight is serving ${location} at ${url}/  (API reference: ${url}/api/docs)`];
  if (firstLogin) {
    lines.push(
      '',
      `First sign-in: user "admin"; its password is in ${firstLogin} (readable by you only).`,
      'It must be changed at the first sign-in; delete the file then. (Or: printf "%s" NEW-PASSWORD | hindsight users password admin --password-stdin)',
      'Add your team with: hindsight users add NAME --role viewer|analyst|reviewer|admin --password-stdin',
    );
  } else {
    lines.push('Sign in with your account (hindsight users list; hindsight users add NAME --role ROLE --password-stdin).');
  }
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') lines.push(`Listening on ${host}: put it behind TLS (and use --trust-proxy there) before the team signs in.`);
  return lines.join('\n');
}
