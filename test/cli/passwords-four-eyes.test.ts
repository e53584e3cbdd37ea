/**
 * The operator's command line (needs `npm run build`): `hindsight users password` under the
 * password policy, and `hindsight review approve` refused by four eyes and by a trivial reason
 * (exit 1), allowed by a policy file that turns four eyes off.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';
import { built, runCli, scratch } from './run.js';

const bundle = attackBundle();
const run = requireOrSkip('CLI password and four-eyes tests (needs npm run build and the ATT&CK bundle)', built && Boolean(bundle.path), built ? bundle.reason : 'dist/cli/main.js is missing: run npm run build');

describe.runIf(run)('hindsight users password and four eyes', () => {
  it('refuses weak passwords with exit 2 and one line saying why; sets a good one, optionally to be changed', () => {
    const cwd = scratch();
    const env = { HINDSIGHT_USER: 'ops' };
    const weak = runCli(['users', 'add', 'alice', '--role', 'viewer', '--password-stdin'], { cwd, env, input: 'passwordpassword\n' });
    expect(weak.status).toBe(2);
    expect(weak.stderr.trim().split('\n')).toHaveLength(1);
    expect(weak.stderr).toMatch(/too easy to guess/);
    expect(runCli(['users', 'add', 'alice', '--role', 'viewer', '--password-stdin'], { cwd, env, input: 'Cobalt-Heron-Lantern-42\n' }).status).toBe(0);
    for (const [password, why] of [['123456789012', /commonly used/], ['alice-alice-alice-2026', /contain the user name/], ['alice', /at least 12/]] as const) {
      const refused = runCli(['users', 'password', 'alice', '--password-stdin'], { cwd, env, input: `${password}\n` });
      expect(refused.status, password).toBe(2);
      expect(refused.stderr).toMatch(why);
    }
    const set = runCli(['users', 'password', 'alice', '--password-stdin', '--must-change', '--json'], { cwd, env, input: 'Quartz-Meadow-Falcon-97\n' });
    expect(set.status, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ username: 'alice', mustChangePassword: true });
    expect(set.stdout + set.stderr).not.toContain('Quartz-Meadow-Falcon-97');
  });

  it('refuses an approval by the submitter or the only author (exit 1), and a trivial reason; a small-team policy allows it', () => {
    const cwd = scratch();
    const db = join(cwd, 'h.db');
    const hs = (args: string[], actor: string) => runCli(['--db', db, '--attack', bundle.path as string, ...args, '--actor', actor], { cwd, env: { HINDSIGHT_POLICY: '' } });
    const imported = runCli(['--db', db, '--attack', bundle.path as string, '--json', 'import', join(projectRoot, 'examples', 'ransomware.json')], { cwd, env: { HINDSIGHT_POLICY: '' } });
    expect(imported.status, imported.stderr).toBe(0);
    const id = (JSON.parse(imported.stdout) as { reviews: { id: string }[] }).reviews[0]?.id as string;
    expect(hs(['review', 'edit', id, '--section', 'takeaways', '--text', 'Backups held.'], 'ana').status).toBe(0);
    expect(hs(['review', 'submit', id], 'lead').status).toBe(0);
    const reason = 'Lessons-learned answers follow at the next team meeting';

    const bySubmitter = hs(['review', 'approve', id, '--sufficiency', 'sufficient', '--override-incomplete', reason], 'lead');
    expect(bySubmitter.status).toBe(1);
    expect(bySubmitter.stderr).toMatch(/four eyes: lead submitted this review, so someone else must approve it/);
    const byOnlyAuthor = hs(['review', 'approve', id, '--sufficiency', 'sufficient', '--override-incomplete', reason], 'ana');
    expect(byOnlyAuthor.status).toBe(1);
    expect(byOnlyAuthor.stderr).toMatch(/four eyes: ana wrote all of this review/);
    const trivial = hs(['review', 'approve', id, '--sufficiency', 'sufficient', '--override-incomplete', 'fine'], 'cy');
    expect(trivial.status).toBe(1);
    expect(trivial.stderr).toMatch(/needs a reason of at least 20 characters/);

    const small = join(cwd, 'small-team.yaml');
    writeFileSync(small, 'version: 1\nrules: []\napproval:\n  fourEyes: false\n');
    const allowed = hs(['review', 'approve', id, '--sufficiency', 'sufficient', '--override-incomplete', reason, '--policy', small, '--json'], 'lead');
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ state: 'approved', approvedBy: 'lead', submittedBy: 'lead', completenessOverride: reason });
    const md = runCli(['--db', db, '--attack', bundle.path as string, 'review', id, '--format', 'md'], { cwd });
    expect(md.stdout).toMatch(/WARNING: Approved while incomplete/);
  });
});
