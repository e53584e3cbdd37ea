import { Command, CommanderError } from 'commander';
import { HindsightError, formatLocation, InputError } from '../model/errors.js';
import type { CliContext, GlobalOptions, RegisterCommands } from './context.js';
import { registerCommandModules } from './commands/index.js';
import { storeFailureOf } from './services.js';

export function buildProgram(ctx: CliContext, registrations: RegisterCommands[]): Command {
  const program = new Command('hindsight')
    .description('Post-incident reviews for security operations teams, mapped onto MITRE ATT&CK.')
    .option('--db <path>', 'SQLite file or postgres:// URL (default: DATABASE_URL, then ./hindsight.db)')
    .option('--attack <pathOrUrl>', 'ATT&CK STIX bundle: path or URL, .json or .json.gz (default: HINDSIGHT_ATTACK_DATA, then the cache)')
    .option('--json', 'print exactly one JSON document on stdout', false)
    .option('--debug', 'print the stack trace of an error (also HINDSIGHT_DEBUG=1)', false)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.print(s.replace(/\n$/, '')),
      writeErr: (s) => ctx.warn(s.replace(/\n$/, '')),
    });
  for (const register of registrations) register(program, ctx);
  for (const sub of program.commands) applyOverrides(sub);
  return program;
}

function applyOverrides(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) applyOverrides(sub);
}

export function makeContext(program: () => Command, env: NodeJS.ProcessEnv = process.env): CliContext {
  return {
    env,
    globals(): GlobalOptions {
      const o = program().opts<{ db?: string; attack?: string; json?: boolean }>();
      return { db: o.db, attack: o.attack, json: Boolean(o.json) };
    },
    print(text) {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    warn(text) {
      process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    printJson(value) {
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** Runs the command line; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const holder: { program?: Command } = {};
  const ctx = makeContext(() => holder.program as Command);
  const program = buildProgram(ctx, registerCommandModules);
  holder.program = program;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const debug = Boolean(program.opts<{ debug?: boolean }>().debug) || isDebugEnv(process.env);
    return reportError(await storeFailureOf(error), ctx, debug);
  }
}

/** HINDSIGHT_DEBUG set to anything but empty, 0 or false. */
function isDebugEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.HINDSIGHT_DEBUG?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** One line: a message that spans lines (a driver's) is joined. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Reports an error as one line on stderr and returns the exit status. The stack trace is printed
 * only with --debug or HINDSIGHT_DEBUG: a user sees what failed and why, not where in the code.
 */
export function reportError(error: unknown, ctx: Pick<CliContext, 'warn'>, debug = false): number {
  const status = reportErrorLine(error, ctx);
  if (debug && error instanceof Error && error.stack) ctx.warn(error.stack);
  return status;
}

function reportErrorLine(error: unknown, ctx: Pick<CliContext, 'warn'>): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    // Commander already printed its message.
    return 2;
  }
  if (error instanceof InputError) {
    const where = formatLocation(error.location);
    ctx.warn(`hindsight: ${where ? `${where}: ` : ''}${oneLine(error.message)}`);
    return error.exitCode;
  }
  if (error instanceof HindsightError) {
    ctx.warn(`hindsight: ${oneLine(error.message)}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message || error.name : String(error);
  ctx.warn(`hindsight: ${oneLine(message)} (run with --debug for the stack trace)`);
  return 1;
}
