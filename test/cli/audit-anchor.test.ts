/** `hindsight audit anchor | verify --anchor | rotate-key` as a user runs them, and tampering found. */
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/env.js';
import { built, examples, runCli, scratch } from './run.js';

const dir = scratch('hindsight-anchor-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyFile = join(dir, 'keys', 'audit.key');
const env = { HINDSIGHT_AUDIT_KEY_FILE: keyFile };
const cli = (args: string[]) => runCli(args, { cwd: dir, env });

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing'))('the audit trail from the command line', () => {
  it('anchors the head, rotates the key, and finds a removed tail, a forged entry and a missing key', () => {
    const db = join(dir, 'h.db');
    expect(cli(['--db', db, 'import', join(examples, 'ransomware.json')]).status).toBe(0);
    expect(cli(['--db', db, 'users', 'add', 'ana', '--role', 'analyst']).status).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const rotated = cli(['--db', db, 'audit', 'rotate-key', '--json']);
    expect(rotated.status).toBe(0);
    const { previousKeyId, keyId } = JSON.parse(rotated.stdout) as { previousKeyId: string; keyId: string };
    expect(keyId).not.toBe(previousKeyId);
    expect(cli(['--db', db, 'users', 'add', 'bo', '--role', 'viewer']).status).toBe(0);

    const anchorFile = join(dir, 'anchor.json');
    const anchored = cli(['--db', db, 'audit', 'anchor', '-o', anchorFile, '--json']);
    expect(JSON.parse(anchored.stdout)).toMatchObject({ anchor: 'hindsight-audit', seq: 4, keyId });
    const intact = cli(['--db', db, 'audit', 'verify', '--anchor', anchorFile, '--json']);
    expect(intact.status).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, entries: 4, anchors: 1 });

    // The last two entries deleted: the chain left is valid, the anchor shows the cut.
    const raw = new Database(db);
    raw.prepare('delete from audit_log where seq >= 3').run();
    expect(cli(['--db', db, 'audit', 'verify']).status).toBe(0);
    const cut = cli(['--db', db, 'audit', 'verify', '--anchor', anchorFile]);
    expect(cut.status).toBe(1);
    expect(cut.stdout).toBe('Audit trail BROKEN at entry 3: the trail ends at entry 2 but the anchor of ' + (JSON.parse(anchored.stdout) as { at: string }).at + ' names entry 4: entries 3 to 4 were removed (2 entries verified before it)\n');

    // An entry appended with the plain SHA-256 of the old, unkeyed chain.
    const last = raw.prepare('select hash from audit_log where seq = 2').get() as { hash: string };
    raw.prepare("insert into audit_log (seq, at, actor, action, entity_type, entity_id, before, after, prev_hash, hash, key_id) values (3, '2026-01-01T00:00:00.000Z', 'mallory', 'user.add', 'user', 'eve', null, null, ?, ?, null)").run(last.hash, 'f'.repeat(64));
    raw.close();
    const forged = cli(['--db', db, 'audit', 'verify', '--json']);
    expect(forged.status).toBe(1);
    expect(JSON.parse(forged.stdout)).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: expect.stringMatching(/without the audit key/) } });

    // Without the key file nothing sealed can be verified, and verify says which key is missing.
    renameSync(keyFile, `${keyFile}.away`);
    const keyless = cli(['--db', db, 'audit', 'verify']);
    expect(keyless.status).toBe(1);
    expect(keyless.stdout).toMatch(new RegExp(`^Audit trail BROKEN at entry 1: entry 1 is sealed with audit key ${previousKeyId}, which cannot be read`));
    expect(existsSync(keyFile)).toBe(false); // verifying never creates a key
  });

  it('refuses an anchor file that is not one, naming file and line, exit 2', () => {
    const db = join(dir, 'h2.db');
    const bad = join(dir, 'bad-anchor.ndjson');
    writeFileSync(bad, `${JSON.stringify({ anchor: 'hindsight-audit', seq: 1, mac: 'a'.repeat(64), keyId: null, at: 'x' })}\n{"seq": "two"}\n`);
    const r = cli(['--db', db, 'audit', 'verify', '--anchor', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`hindsight: ${bad}:2: not an audit anchor: anchor: Invalid input: expected "hindsight-audit"\n`);
  });
});
