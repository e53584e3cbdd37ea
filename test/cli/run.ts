/** Runs the built `hindsight` executable as a user would (needs `npm run build` first). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/env.js';

export const bin = join(projectRoot, 'bin', 'hindsight.js');
export const built = existsSync(join(projectRoot, 'dist', 'cli', 'main.js'));
export const examples = join(projectRoot, 'examples');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A scratch directory used as the working directory, HOME and cache of the runs. */
export function scratch(prefix = 'hindsight-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): RunResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    input: options.input,
    env: { PATH: process.env.PATH, HOME: options.cwd, HINDSIGHT_CACHE_DIR: join(options.cwd, '.cache'), ...options.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
