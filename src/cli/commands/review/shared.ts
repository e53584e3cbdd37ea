import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { StoredIncident } from '../../../model/index.js';
import { UsageError } from '../../../model/errors.js';
import type { OpenedStore } from '../../../store/index.js';
import { expectedVersionOption, reviewActor } from '../../actor.js';
import type { CliContext } from '../../context.js';
import { requireIncident, withStore } from '../../services.js';

/** The review use cases, loaded when a command runs (commands that need no database stay fast). */
export type ReviewApp = typeof import('../../../app/review/index.js');

/** `--actor` and `--expect-version`, as every review write takes them. */
export interface WriteOpts {
  actor?: string;
  expectVersion?: string;
}

/** A review write command: its description and the options every write takes. */
export function writeCommand(cmd: Command, description: string): Command {
  return cmd
    .description(description)
    .option('--actor <name>', 'who makes the change (default: HINDSIGHT_USER, then your login name)')
    .option('--expect-version <n>', 'refuse the write unless the thing is still at this version');
}

/** Who writes (--actor, else HINDSIGHT_USER, else the login name) and the version they expect. */
export function writeOptions(ctx: CliContext, o: WriteOpts): { actor: string; expectedVersion?: number } {
  const actor = reviewActor(ctx, o.actor);
  const expectedVersion = expectedVersionOption(o.expectVersion);
  return expectedVersion === undefined ? { actor } : { actor, expectedVersion };
}

/** Runs `work` with the store the global options name and the review use cases; closes the store after. */
export function withReviewStore<T>(ctx: CliContext, work: (store: OpenedStore, app: ReviewApp) => Promise<T>): Promise<T> {
  return withStore(ctx, async (store) => work(store, await import('../../../app/review/index.js')));
}

/** Runs `work` on the incident `ref` names (Hindsight's id or the source's own). */
export function withReview<T>(ctx: CliContext, ref: string, work: (x: { store: OpenedStore; app: ReviewApp; incident: StoredIncident }) => Promise<T>): Promise<T> {
  return withReviewStore(ctx, async (store, app) => work({ store, app, incident: await requireIncident(store, ref) }));
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Writes `text` to `output` (naming the file on stderr), or prints it. */
export async function emit(ctx: CliContext, text: string, output: string | undefined): Promise<void> {
  if (output) {
    await writeFile(output, text);
    ctx.warn(`Wrote ${resolve(output)}`);
  } else ctx.print(text);
}

/** The options given, without the ones left out (a patch names only what changes). */
export function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A value of the history, on one line of at most 60 characters. */
export function short(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const one = s.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
}
