/** A team server over a fresh store with one account and one API token per role, for API tests. */
import { join } from 'node:path';
import type { KnowledgeBase } from '../../src/attack/types.js';
import { loadBundle } from '../../src/attack/resolve.js';
import { ROLES, type Role } from '../../src/model/roles.js';
import { buildServer, type App } from '../../src/server/app.js';
import { importFiles } from '../../src/app/import.js';
import type { OpenedStore } from '../../src/store/index.js';
import { projectRoot } from '../helpers/env.js';

let kbPromise: Promise<KnowledgeBase> | undefined;
export function knowledgeBase(bundle: string): Promise<KnowledgeBase> {
  kbPromise ??= loadBundle(bundle);
  return kbPromise;
}

export const PASSWORD = 'a-long-test-password';

export interface Harness {
  app: App;
  store: OpenedStore;
  tokens: Record<Role, string>;
  incidentId: string;
  otherIncidentId: string;
}

export async function startHarness(store: OpenedStore, bundle: string, options: { loginAttemptsPerMinute?: number; policyFile?: string; rules?: string[] } = {}): Promise<Harness> {
  const kb = await knowledgeBase(bundle);
  const imported = await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json'), join(projectRoot, 'examples', 'phishing-credential-theft.json')], { env: {} });
  const ids = imported.results.map((r) => r.id);
  // No background attribution: tests compare the store's tables before and after each request.
  const app = await buildServer({ store, kb, env: {}, precomputeAttribution: false, ...options });
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    await app.auth.addUser({ username: role, role, password: PASSWORD }, 'test');
    tokens[role] = (await app.auth.createToken(role, 'test', 'test')).token;
  }
  return { app, store, tokens, incidentId: ids[0] as string, otherIncidentId: ids[1] as string };
}

/** Signs in with the password; returns the cookie header and CSRF token. */
export async function login(app: App, username: string, password = PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const set = res.cookies.find((c) => c.name === 'hindsight_session');
  if (!set) throw new Error('no session cookie');
  return { cookie: `hindsight_session=${set.value}`, csrf: (res.json() as { csrfToken: string }).csrfToken };
}
