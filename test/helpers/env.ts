/**
 * Where the integration tests find real data and services. On a developer's machine either may be
 * missing: the tests then skip and say why. Under CI (CI=true) both always exist, and a missing one
 * is a failure, not a skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** `../shared` beside the project, or HINDSIGHT_SHARED_DIR. */
export function sharedDir(): string | undefined {
  const candidates = [process.env.HINDSIGHT_SHARED_DIR, join(projectRoot, '..', 'shared')].filter(
    (p): p is string => Boolean(p),
  );
  return candidates.find((p) => existsSync(p));
}

/** Path of a real ATT&CK bundle, e.g. `enterprise-attack-18.1.json.gz`, or undefined with a reason. */
export function attackBundle(file = 'enterprise-attack-18.1.json.gz'): { path?: string; reason: string } {
  const dir = process.env.HINDSIGHT_TEST_ATTACK_DIR ?? (sharedDir() ? join(sharedDir() as string, 'attack') : undefined);
  if (!dir) return { reason: 'no ../shared directory and HINDSIGHT_TEST_ATTACK_DIR is not set' };
  const path = join(dir, file);
  if (!existsSync(path)) return { reason: `${path} does not exist` };
  return { path, reason: '' };
}

/** Fails under CI, otherwise prints why the suite is skipped. Returns true when the suite should run. */
export function requireOrSkip(what: string, available: boolean, reason: string): boolean {
  if (available) return true;
  if (isCI) throw new Error(`${what} is required under CI but unavailable: ${reason}`);
  console.warn(`[skipped] ${what}: ${reason}`);
  return false;
}

export const defaultPgUrl = 'postgres://postgres@127.0.0.1:5432/test';

/** The PostgreSQL URL for tests (HINDSIGHT_TEST_PG_URL, else the local default), if a server answers. */
export async function pgAvailable(): Promise<{ url?: string; reason: string }> {
  const url = process.env.HINDSIGHT_TEST_PG_URL ?? defaultPgUrl;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { url, reason: '' };
  } catch (error) {
    return { reason: `PostgreSQL at ${url} did not answer (${error instanceof Error ? error.message : String(error)})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Where a test writes what a person may want to look at (screenshots, received messages):
 * HINDSIGHT_SHOTS_DIR when set, else test-artifacts/ in the project (git-ignored). Created.
 */
export function artifactsDir(...parts: string[]): string {
  const dir = process.env.HINDSIGHT_SHOTS_DIR ?? join(projectRoot, 'test-artifacts', ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
