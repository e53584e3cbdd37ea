import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, built, scratch } from '../cli/run.js';
import { attackBundle, requireOrSkip } from '../helpers/env.js';

const bundle = attackBundle();
const run = requireOrSkip('hindsight serve test', built && Boolean(bundle.path), built ? bundle.reason : 'dist/cli/main.js is missing: run npm run build');

describe.runIf(run)('hindsight serve', () => {
  it('imports the examples into an empty store, creates a first admin whose password is in a 0600 file (never on stdout) and must be changed first, and serves', async () => {
    const cwd = scratch('hindsight-serve-');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--attack', bundle.path as string], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, HINDSIGHT_CACHE_DIR: join(cwd, '.cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => (err += String(d)));
      await new Promise<void>((done, fail) => {
        child.stdout.on('data', (d) => {
          out += String(d);
          if (/its password is in (\S+) \(readable/.test(out)) done();
        });
        child.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
      });
      const url = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
      const file = /its password is in (\S+) \(readable/.exec(out)?.[1] ?? '';
      expect(url).toBeDefined();
      expect(file).toBe(join(cwd, 'hindsight.db.admin-password'));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const password = readFileSync(file, 'utf8').trim();
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(out + err).not.toContain(password);
      expect(err).toMatch(/imported the \d+ example incidents/);
      expect((await fetch(`${url}/api/incidents`)).status).toBe(401);
      const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const blocked = await fetch(`${url}/api/incidents`, { headers: { cookie } });
      expect(blocked.status).toBe(403);
      expect(await blocked.json()).toMatchObject({ error: { code: 'password-change-required' } });
      const change = await fetch(`${url}/api/auth/password`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: password, newPassword: 'Lantern-Basalt-Orchid-52' }) });
      expect(change.status).toBe(200);
      const list = (await (await fetch(`${url}/api/incidents`, { headers: { cookie } })).json()) as { total: number };
      expect(list.total).toBeGreaterThanOrEqual(3);
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await page.text()).toMatch(/<div id="root">/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
