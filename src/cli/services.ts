import type { KnowledgeBase } from '../attack/types.js';
import { NotFoundError } from '../model/errors.js';
import type { StoredIncident } from '../model/index.js';
import type { OpenedStore } from '../store/index.js';
import type { IncidentStore } from '../store/types.js';
import type { CliContext } from './context.js';

/** Where the last store opened by this process is: a database failure is reported naming it. */
let lastLocation: string | undefined;

/** Opens the store the global options name (lazily loaded: commands that need no database stay fast). */
export async function openStoreFor(ctx: CliContext): Promise<OpenedStore> {
  const { openStore } = await import('../store/index.js');
  const store = await openStore({ db: ctx.globals().db, env: ctx.env });
  lastLocation = store.location;
  return store;
}

/** A failure of the database (busy, read-only, damaged, unreachable) as one line naming it; other errors as they are. */
export async function storeFailureOf(error: unknown): Promise<unknown> {
  if (lastLocation === undefined) return error;
  const { storeErrorOf } = await import('../store/index.js');
  return storeErrorOf(error, lastLocation) ?? error;
}

/**
 * Runs `work` with the store the global options name, and closes it after (whatever happens). A
 * failure of the database itself (busy, read-only, damaged, unreachable) becomes one line naming it.
 */
export async function withStore<T>(ctx: CliContext, work: (store: OpenedStore) => Promise<T>): Promise<T> {
  const store = await openStoreFor(ctx);
  try {
    return await work(store);
  } catch (error) {
    throw await storeFailureOf(error);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Loads the ATT&CK knowledge base the global options name. */
export async function loadKnowledgeBaseFor(ctx: CliContext): Promise<KnowledgeBase> {
  const { openKnowledgeBase } = await import('../app/knowledge-base.js');
  return openKnowledgeBase({ attack: ctx.globals().attack, env: ctx.env, onProgress: (m: string) => ctx.warn(m) });
}

/** The knowledge base, downloaded into the cache first when none is configured or cached (`demo`, `serve`). */
export async function loadKnowledgeBaseOrDownloadFor(ctx: CliContext): Promise<KnowledgeBase> {
  const { openKnowledgeBaseOrDownload } = await import('../app/knowledge-base.js');
  return openKnowledgeBaseOrDownload({ attack: ctx.globals().attack, env: ctx.env, onProgress: (m: string) => ctx.warn(m) });
}

/** Prints `value` as JSON under --json, otherwise the text `render` makes. */
export function printResult(ctx: CliContext, value: unknown, render: () => string): void {
  if (ctx.globals().json) ctx.printJson(value);
  else ctx.print(render());
}

/** The incident a command names (Hindsight's id or the source's own), or a not-found error (exit 2). */
export async function requireIncident(store: IncidentStore, ref: string): Promise<StoredIncident> {
  const incident = await store.getIncident(ref);
  if (!incident) throw new NotFoundError(`no incident "${ref}" in ${store.location} (run \`hindsight incidents\` to list them)`);
  return incident;
}

/** Every stored incident, newest first. */
export async function loadAllIncidents(store: IncidentStore): Promise<StoredIncident[]> {
  const out: StoredIncident[] = [];
  for (const item of await store.listIncidents({})) {
    const incident = await store.getIncident(item.id);
    if (incident) out.push(incident);
  }
  return out;
}
