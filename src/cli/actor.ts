import { userInfo } from 'node:os';
import { UsageError } from '../model/errors.js';
import type { CliContext } from './context.js';

/** The login name of whoever runs the command line: HINDSIGHT_USER, else the operating system's. */
export function loginName(ctx: Pick<CliContext, 'env'>): string {
  const named = ctx.env.HINDSIGHT_USER?.trim();
  if (named) return named;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The audit actor of a command-line write: `cli:<login>`. */
export function cliActor(ctx: Pick<CliContext, 'env'>): string {
  return `cli:${loginName(ctx)}`;
}

/** Who makes a review change from the command line: --actor, else the login name. */
export function reviewActor(ctx: Pick<CliContext, 'env'>, given: string | undefined): string {
  return given?.trim() || loginName(ctx);
}

/** --expect-version N as a number, or undefined when not given. */
export function expectedVersionOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--expect-version must be a whole number, not "${value}"`);
  return n;
}
