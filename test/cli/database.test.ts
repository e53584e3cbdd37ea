/**
 * The database seen from the command line, with real processes: writers that wait for each other
 * on SQLite, first opens that take turns, and one line (never a stack trace) for a database that is
 * busy, newer, read-only, not a database, truncated or unreachable.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot, requireOrSkip } from '../helpers/env.js';
import { bin, built, examples, runCli, scratch, type RunResult } from './run.js';

const dir = scratch('hindsight-db-');
afterAll(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI without waiting (several at once); resolves with its outcome and how long it took. */
function runAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult & { ms: number }> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, HINDSIGHT_CACHE_DIR: join(dir, '.cache'), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr, ms: Date.now() - started }));
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing'))('the SQLite database under concurrent processes', () => {
  it('makes writers wait while another process holds the write lock, then all succeed', async () => {
    const db = join(dir, 'held.db');
    expect(runCli(['--db', db, 'incidents'], { cwd: dir }).status).toBe(0);
    const holder = new Database(db);
    holder.exec('begin immediate');
    const writers = Array.from({ length: 10 }, (_, i) => runAsync(['--db', db, 'users', 'add', `held${i}`, '--role', 'viewer']));
    await sleep(3000);
    holder.exec('commit');
    holder.close();
    const results = await Promise.all(writers);
    const waited = results.filter((r) => r.ms >= 2500).length;
    const succeeded = results.filter((r) => r.status === 0).length;
    console.log(`held lock: ${waited} of 10 writers waited, ${succeeded} succeeded`);
    expect(results.map((r) => r.stderr)).toEqual(Array(10).fill(''));
    expect(succeeded).toBe(10);
    expect(waited).toBe(10);
  }, 120_000);

  it('lets parallel writers of several kinds wait for an import and succeed', async () => {
    const db = join(dir, 'import.db');
    const file = join(dir, 'alerts.ndjson');
    // The bench's generator: Graph alerts_v2 records, 10 per incident.
    expect(spawnSync(process.execPath, [join(projectRoot, 'bench', 'generate-graph-alerts.mjs'), '--count', '3000', '-o', file]).status).toBe(0);
    expect(runCli(['--db', db, 'import', join(examples, 'ransomware.json')], { cwd: dir }).status).toBe(0);
    const incident = (JSON.parse(runCli(['--db', db, 'incidents', '--json'], { cwd: dir }).stdout) as { incidents: { id: string }[] }).incidents[0]?.id as string;
    const importing = runAsync(['--db', db, 'import', file, '--json']);
    await sleep(700);
    const writers = [
      ...Array.from({ length: 6 }, (_, i) => runAsync(['--db', db, 'users', 'add', `imp${i}`, '--role', 'viewer'])),
      ...Array.from({ length: 6 }, (_, i) => runAsync(['--db', db, 'findings', 'add', incident, '--category', 'technical-lapse', '--title', `F${i}`, '--actor', `a${i}`])),
      runAsync(['--db', db, 'import', join(examples, 'identity-attack.json')]),
    ];
    const [imported, ...rest] = await Promise.all([importing, ...writers]);
    const succeeded = rest.filter((r) => r.status === 0).length;
    console.log(`during an import of 3000 alerts (${imported.ms} ms): ${succeeded} of ${rest.length} writers succeeded; slowest waited ${Math.max(...rest.map((r) => r.ms))} ms`);
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ alerts: 3000 });
    expect(rest.filter((r) => r.status !== 0).map((r) => r.stderr)).toEqual([]);
    const findings = JSON.parse(runCli(['--db', db, 'findings', 'list', incident, '--json'], { cwd: dir }).stdout) as { findings: unknown[] };
    expect(findings.findings).toHaveLength(6);
    expect(runCli(['--db', db, 'audit', 'verify'], { cwd: dir }).status).toBe(0);
  }, 240_000);

  it('gives up after the busy timeout with one line saying the database is busy, exit 1', async () => {
    const db = join(dir, 'busy.db');
    expect(runCli(['--db', db, 'incidents'], { cwd: dir }).status).toBe(0);
    const holder = new Database(db);
    holder.exec('begin immediate');
    try {
      const r = await runAsync(['--db', db, 'users', 'add', 'late', '--role', 'viewer'], { HINDSIGHT_BUSY_TIMEOUT_MS: '700' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`hindsight: the database is busy: ${db} stayed locked by another writer for the whole busy timeout (700 ms, HINDSIGHT_BUSY_TIMEOUT_MS); nothing was written\n`);
      expect(r.ms).toBeGreaterThanOrEqual(700);
    } finally {
      holder.exec('rollback');
      holder.close();
    }
    expect(runCli(['--db', db, 'users', 'list', '--json'], { cwd: dir }).stdout).not.toContain('late');
  });

  it('serialises 10 processes opening a new database at once: all succeed', async () => {
    const db = join(dir, 'first-open.db');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => runAsync(['--db', db, 'users', 'add', `first${i}`, '--role', 'viewer'])));
    console.log(`first opens: ${results.filter((r) => r.status === 0).length} of 10 succeeded`);
    expect(results.map((r) => r.stderr)).toEqual(Array(10).fill(''));
    const users = JSON.parse(runCli(['--db', db, 'users', 'list', '--json'], { cwd: dir }).stdout) as { users: unknown[] };
    expect(users.users).toHaveLength(10);
  }, 120_000);
});

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing'))('a database Hindsight cannot use: one line, no stack trace', () => {
  it('refuses a database written by a newer Hindsight, for reads too, exit 2', () => {
    const db = join(dir, 'newer.db');
    expect(runCli(['--db', db, 'incidents'], { cwd: dir }).status).toBe(0);
    const raw = new Database(db);
    raw.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('0042-from-the-future', new Date().toISOString());
    raw.close();
    for (const args of [['incidents'], ['users', 'add', 'x', '--role', 'viewer']]) {
      const r = runCli(['--db', db, ...args], { cwd: dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('hindsight: this database was created by a newer version of Hindsight (schema 42); upgrade Hindsight\n');
    }
  });

  it('reads a read-only database (file 0444, or in a read-only directory); a write fails with one line', () => {
    const db = join(dir, 'ro.db');
    expect(runCli(['--db', db, 'import', join(examples, 'ransomware.json')], { cwd: dir }).status).toBe(0);
    chmodSync(db, 0o444);
    const read = runCli(['--db', db, 'incidents', '--json'], { cwd: dir });
    expect(read.stderr).toBe('');
    expect((JSON.parse(read.stdout) as { incidents: unknown[] }).incidents).toHaveLength(1);
    const write = runCli(['--db', db, 'users', 'add', 'x', '--role', 'viewer'], { cwd: dir });
    expect(write.status).toBe(1);
    expect(write.stderr).toMatch(/^hindsight: the database is read-only: .*ro\.db cannot be written \(attempt to write a readonly database\); nothing was written\n$/);
    chmodSync(db, 0o644);

    const roDir = join(dir, 'ro-dir');
    mkdirSync(roDir);
    runCli(['--db', join(roDir, 'h.db'), 'import', join(examples, 'ransomware.json')], { cwd: dir });
    chmodSync(roDir, 0o555);
    try {
      const inDir = runCli(['--db', join(roDir, 'h.db'), 'incidents', '--json'], { cwd: dir });
      expect(inDir.stderr).toBe('');
      expect((JSON.parse(inDir.stdout) as { incidents: unknown[] }).incidents).toHaveLength(1);
    } finally {
      chmodSync(roDir, 0o755);
    }
  });

  it('names a file that is not a database and a truncated database, exit 2', () => {
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'this is not a database\n'.repeat(100));
    const r = runCli(['--db', garbage, 'incidents'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`hindsight: ${garbage} is not a usable Hindsight database: file is not a database\n`);

    const good = join(dir, 'whole.db');
    expect(runCli(['--db', good, 'import', join(examples, 'ransomware.json'), join(examples, 'identity-attack.json')], { cwd: dir }).status).toBe(0);
    const checkpoint = new Database(good);
    checkpoint.pragma('wal_checkpoint(TRUNCATE)');
    checkpoint.close();
    const truncated = join(dir, 'truncated.db');
    const bytes = readFileSync(good);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 3)));
    for (const args of [['incidents'], ['audit', 'verify']]) {
      const t = runCli(['--db', truncated, ...args], { cwd: dir });
      expect(t.status).toBe(2);
      expect(t.stderr).toMatch(/^hindsight: .*truncated\.db is not a usable Hindsight database: database disk image is malformed\n$/);
    }
    copyFileSync(good, join(dir, 'copy.db'));
  });

  it('names an unreachable PostgreSQL in one line; --debug adds the stack trace', () => {
    const url = 'postgres://hindsight@127.0.0.1:9/test';
    const r = runCli(['--db', url, 'incidents'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`hindsight: cannot reach PostgreSQL at ${url}: connect ECONNREFUSED 127.0.0.1:9\n`);
    const debug = runCli(['--db', url, '--debug', 'incidents'], { cwd: dir });
    expect(debug.stderr.split('\n')[0]).toBe(`hindsight: cannot reach PostgreSQL at ${url}: connect ECONNREFUSED 127.0.0.1:9`);
    expect(debug.stderr).toMatch(/\n\s+at /);
    expect(runCli(['--db', url, 'incidents'], { cwd: dir, env: { HINDSIGHT_DEBUG: '1' } }).stderr).toMatch(/\n\s+at /);
  });
});
