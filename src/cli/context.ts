import type { Command } from 'commander';

/** Options every command accepts, before or after the subcommand name. */
export interface GlobalOptions {
  /** SQLite file path or a `postgres://` URL; falls back to DATABASE_URL, then the default file. */
  db?: string;
  /** ATT&CK bundle path or URL; falls back to HINDSIGHT_ATTACK_DATA, then the cache. */
  attack?: string;
  /** Print exactly one JSON document on stdout. */
  json: boolean;
}

/** What a command needs from its shell: options and the two output streams. */
export interface CliContext {
  globals(): GlobalOptions;
  env: NodeJS.ProcessEnv;
  /** Writes to stdout. */
  print(text: string): void;
  /** Writes a progress line or warning to stderr. */
  warn(text: string): void;
  /** Prints one JSON document on stdout. */
  printJson(value: unknown): void;
}

/** A command module adds its subcommands to the program. Handlers import their layers lazily. */
export type RegisterCommands = (program: Command, ctx: CliContext) => void;
