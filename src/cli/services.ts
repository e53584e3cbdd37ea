import type { KnowledgeBase } from '../attack/types.js';
import type { IncidentStore } from '../store/types.js';
import type { CliContext } from './context.js';

/** Opens the store the global options name (lazily loaded: commands that need no database stay fast). */
export async function openStoreFor(ctx: CliContext): Promise<IncidentStore> {
  const { openStore } = await import('../store/index.js');
  return openStore({ db: ctx.globals().db, env: ctx.env });
}

/** Loads the ATT&CK knowledge base the global options name. */
export async function loadKnowledgeBaseFor(ctx: CliContext): Promise<KnowledgeBase> {
  const { loadKnowledgeBase } = await import('../attack/resolve.js');
  return loadKnowledgeBase({ attack: ctx.globals().attack, env: ctx.env, onProgress: (m: string) => ctx.warn(m) });
}

/** Prints `value` as JSON under --json, otherwise the text `render` makes. */
export function printResult(ctx: CliContext, value: unknown, render: () => string): void {
  if (ctx.globals().json) ctx.printJson(value);
  else ctx.print(render());
}
