/**
 * What every browser end-to-end test needs: whether Chromium, the ATT&CK bundle and the built web
 * app are there; a team server over an in-memory store with the examples imported and one account
 * per role; Debian's Chromium launched headless; a sign-in through the web app's form; and axe-core
 * run in the page. Each test keeps its own scenario and passes its special server options through.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildServer, type App, type ServerOptions } from '../../src/server/app.js';
import { webRoot } from '../../src/cli/commands/serve.js';
import { importFiles, type ImportFilesOptions } from '../../src/app/import.js';
import type { NewUser } from '../../src/app/accounts/users.js';
import type { Role } from '../../src/model/roles.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, isCI, projectRoot, requireOrSkip, sharedDir } from '../helpers/env.js';
import { knowledgeBase, PASSWORD } from '../server/harness.js';

export { PASSWORD };
const chromiumPath = process.env.HINDSIGHT_CHROMIUM ?? '/usr/bin/chromium';
const bundle = attackBundle();
const web = webRoot();
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** True when the browser test named `what` can run; otherwise says why it is skipped. */
export function browserReady(what: string, needs: { attack?: boolean } = {}): boolean {
  return (
    requireOrSkip(`${what} (Chromium)`, existsSync(chromiumPath), `${chromiumPath} does not exist`) &&
    (needs.attack === false || requireOrSkip(`${what} (ATT&CK bundle)`, Boolean(bundle.path), bundle.reason)) &&
    requireOrSkip(`${what} (built web app)`, existsSync(join(web, 'index.html')), 'web/dist is missing: run npm run build:web')
  );
}

/** The shared Sigma rules, when the reference data has them (for the matrix's coverage layers). */
export function sigmaRules(): string[] {
  const sigma = join(sharedDir() ?? '', 'detections', 'sigma', 'rules');
  return existsSync(sigma) ? [sigma] : [];
}

export interface WebServerOptions {
  /** File names under examples/, imported in this order (ids come back in the same order). */
  examples?: readonly string[];
  importOptions?: ImportFilesOptions;
  /** One account per role, named after the role, with the shared test password. */
  roles?: readonly Role[];
  /** Accounts get "<Role> User" as display name. */
  displayNames?: boolean;
  /** Accounts get "<role>@<emailDomain>" as e-mail address. */
  emailDomain?: string;
  /** Who the accounts are added by in the audit trail. */
  addedBy?: string;
  /** Everything else the server is built with (env defaults to {}; kb defaults to the real ATT&CK). */
  server?: Partial<ServerOptions>;
  /** Fixed port (when the base URL must be known before the server is built); 0 picks one. */
  port?: number;
  /** Runs on the store after the import, before the server is built. */
  seed?: (store: OpenedStore, ids: string[]) => Promise<void>;
  /** Runs on the server once the accounts exist, before it listens. */
  prepare?: (app: App, ids: string[]) => Promise<void>;
}

export interface WebServer {
  app: App;
  store: OpenedStore;
  base: string;
  /** Ids of the imported examples, in the order given. */
  ids: string[];
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const store = await openStore({ db: ':memory:' });
  const files = (options.examples ?? []).map((f) => join(projectRoot, 'examples', f));
  const ids = files.length ? (await importFiles(store, files, { env: {}, ...options.importOptions })).results.map((r) => r.id) : [];
  await options.seed?.(store, ids);
  const kb = options.server?.kb ?? (await knowledgeBase(bundle.path as string));
  const app = await buildServer({ store, webRoot: web, env: {}, ...options.server, kb });
  for (const role of options.roles ?? []) {
    const user: NewUser = { username: role, role, password: PASSWORD };
    if (options.displayNames) user.displayName = `${role[0]?.toUpperCase()}${role.slice(1)} User`;
    if (options.emailDomain) user.email = `${role}@${options.emailDomain}`;
    await app.auth.addUser(user, options.addedBy ?? 'test');
  }
  await options.prepare?.(app, ids);
  const port = options.port ?? 0;
  const listening = await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    store,
    base: port ? `http://127.0.0.1:${port}` : listening,
    ids,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface SignInOptions {
  /** For a new context (when given a browser). */
  viewport?: { width: number; height: number };
  /** Needed to inject axe-core past the app's CSP. */
  bypassCSP?: boolean;
  /** The page's default timeout. */
  timeout?: number;
  /** Where to land after signing in, e.g. "#/incidents/<id>". */
  hash?: string;
  /** What shows once signed in: the incident list (default) or the main navigation (any screen). */
  until?: 'incidents' | 'navigation';
  /** A screenshot taken when the sign-in form never shows. */
  failureShot?: string;
}

/** Opens a page (in a new context when given a browser) and signs in through the form. */
export async function signIn(target: Browser | BrowserContext, base: string, username: string, options: SignInOptions = {}): Promise<Page> {
  const context = 'newContext' in target ? await target.newContext({ viewport: options.viewport ?? { width: 1366, height: 900 }, ...(options.bypassCSP ? { bypassCSP: true } : {}) }) : target;
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeout ?? (isCI ? 30_000 : 15_000));
  await page.goto(`${base}/${options.hash ?? ''}`);
  await page.getByLabel('User name').fill(username).catch(async (e: unknown) => {
    if (options.failureShot) await page.screenshot({ path: options.failureShot });
    throw e;
  });
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (options.until === 'navigation') await page.getByRole('navigation', { name: 'Main' }).waitFor();
  else await page.getByRole('heading', { name: 'Incidents' }).waitFor();
  return page;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

export interface AxeOptions {
  /** Only this part of the page (a CSS selector); the whole page otherwise. */
  include?: string;
  /** Only the rules with these tags (axe-core's runOnly). */
  tags?: readonly string[];
  /** Checks that rules passed: a selector that matched nothing would pass vacuously. */
  checkPasses?: boolean;
}

/** Every axe-core violation on the page (the page's context needs bypassCSP). */
export async function axeRun(page: Page, options: AxeOptions = {}): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: axeSource });
  const runOptions = { ...(options.tags ? { runOnly: { type: 'tag', values: options.tags } } : {}), resultTypes: options.checkPasses ? ['violations', 'passes'] : ['violations'] };
  const result = (await page.evaluate(
    async ({ include, run }) => {
      // Runs in the page; typed without the DOM library (the tests' TypeScript has none).
      const w = globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } };
      return w.axe.run(include ? { include: [include] } : 'html', run);
    },
    { include: options.include ?? null, run: runOptions },
  )) as { violations: AxeViolation[]; passes: unknown[] };
  if (options.checkPasses) expect(result.passes.length).toBeGreaterThan(5);
  return result.violations;
}

export const seriousOnly = (violations: readonly AxeViolation[]): AxeViolation[] => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** The serious and critical axe-core violations, one line each: "rule: targets". */
export async function axeViolations(page: Page, options: AxeOptions = {}): Promise<string[]> {
  return seriousOnly(await axeRun(page, options)).map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}
