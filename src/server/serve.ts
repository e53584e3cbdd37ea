import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../cli/context.js';
import { UsageError } from '../model/errors.js';
import type { KnowledgeBase } from '../attack/types.js';

/** The built web application (`web/dist` at the package root; same depth from src/ and dist/). */
export function webRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
}

/**
 * `hindsight serve`: opens the store (the embedded default unless --db/DATABASE_URL says
 * otherwise), imports the examples into an empty store, creates a first admin account with a
 * random password printed once, and serves the API and web application until interrupted.
 */
export async function runServe(ctx: CliContext, opts: { port: number; host: string; demo: boolean; trustProxy?: boolean; rules?: string[] }): Promise<void> {
  const kb = await knowledgeBase(ctx);
  const { openStore } = await import('../store/index.js');
  const store = await openStore({ db: ctx.globals().db, env: ctx.env });
  const { AuthStore } = await import('../auth/auth-store.js');
  const auth = new AuthStore(store.snake);
  try {
    if (opts.demo && (await store.listIncidents({ limit: 1 })).length === 0) {
      const { examplesDir } = await import('../cli/commands/demo.js');
      const dir = examplesDir();
      const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
      const { importFiles } = await import('../services/import-files.js');
      const result = await importFiles(store, files, { env: ctx.env, audit: { actor: 'hindsight-serve' } });
      ctx.warn(`The store was empty: imported the ${result.summary.incidents} example incidents (hindsight serve --no-demo skips this).`);
    }
    let firstLogin: string | undefined;
    if ((await auth.countUsers()) === 0) {
      const { generatePassword } = await import('../auth/passwords.js');
      const password = generatePassword();
      await auth.addUser({ username: 'admin', role: 'admin', password, displayName: 'Administrator' }, 'hindsight-serve');
      firstLogin = password;
    }
    const { buildServer } = await import('./app.js');
    const app = await buildServer({ store, kb, webRoot: webRoot(), trustProxy: opts.trustProxy, rules: opts.rules, logger: false, policyFile: ctx.env.HINDSIGHT_POLICY?.trim() || undefined, env: ctx.env });
    const address = await app.listen({ port: opts.port, host: opts.host }).catch((error: unknown) => {
      throw new UsageError(`cannot listen on ${opts.host}:${opts.port}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
    const lines = [`Hindsight is serving ${store.location} at ${url}/  (API reference: ${url}/api/docs)`];
    if (firstLogin) {
      lines.push(
        '',
        'First sign-in: user "admin", password (shown only this once, store it now):',
        `  ${firstLogin}`,
        'Change it with: printf "%s" NEW-PASSWORD | hindsight users passwd admin --password-stdin',
        'Add your team with: hindsight users add NAME --role viewer|analyst|reviewer|admin --password-stdin',
      );
    } else {
      lines.push('Sign in with your account (hindsight users list; hindsight users add NAME --role ROLE --password-stdin).');
    }
    if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') lines.push(`Listening on ${opts.host}: put it behind TLS (and use --trust-proxy there) before the team signs in.`);
    ctx.print(lines.join('\n'));
    await new Promise<void>((done) => {
      const stop = () => {
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

async function knowledgeBase(ctx: CliContext): Promise<KnowledgeBase> {
  const { loadKnowledgeBaseFor } = await import('../cli/services.js');
  const configured = Boolean(ctx.globals().attack || ctx.env.HINDSIGHT_ATTACK_DATA);
  try {
    return await loadKnowledgeBaseFor(ctx);
  } catch (error) {
    if (configured || !(error instanceof UsageError) || !/^no ATT&CK data/.test(error.message)) throw error;
  }
  ctx.warn('No ATT&CK data cached yet: downloading the latest ATT&CK Enterprise bundle from MITRE (hindsight attack update)...');
  const { updateAttackCache } = await import('../attack/update.js');
  await updateAttackCache({ env: ctx.env, onProgress: (m: string) => ctx.warn(m) });
  return loadKnowledgeBaseFor(ctx);
}
