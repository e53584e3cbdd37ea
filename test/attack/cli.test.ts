/** The `hindsight attack` commands, run as a user runs them (needs `npm run build` first). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';
import { miniBundlePath } from './mini.js';

const bin = join(projectRoot, 'bin', 'hindsight.js');
const built = existsSync(join(projectRoot, 'dist', 'cli', 'commands', 'attack.js'));
const cache = mkdtempSync(join(tmpdir(), 'hindsight-cli-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cache, HINDSIGHT_CACHE_DIR: cache, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/commands/attack.js is missing'))('hindsight attack', () => {
  it('info --json counts the mini bundle', () => {
    const r = run(['attack', 'info', '--json', '--attack', miniBundlePath]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ domain: 'enterprise-attack', version: '18.1', techniques: 4, subtechniques: 1, tactics: 3, groups: 1, campaigns: 1, software: 2, mitigations: 1, detectionStrategies: 1 });
  });

  it('lookup --json of a revoked ID prints the replacement and its relations', () => {
    const r = run(['--json', 'attack', 'lookup', 'T1086', '--attack', miniBundlePath]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ kind: 'technique', id: 'T1059.001', revokedFrom: ['T1086'], parent: { id: 'T1059', name: 'Command and Scripting Interpreter' } });
    expect(out.mitigations).toEqual([{ id: 'M1042', name: 'Disable or Remove Feature or Program' }]);
    expect(out.tactics).toEqual([{ id: 'TA0002', shortname: 'execution', name: 'Execution' }]);
    expect(out.detectionStrategies).toEqual([
      {
        id: 'DET0001',
        name: 'Abuse of PowerShell',
        analytics: [
          {
            id: 'AN0001',
            name: 'Analytic 0001',
            platforms: ['Windows'],
            dataComponents: [
              { id: 'DC0032', name: 'Process Creation' },
              { id: 'DC0064', name: 'Command Execution' },
            ],
            logSources: [
              { name: 'WinEventLog:Sysmon', channel: 'EventCode=1', dataComponentId: 'DC0032' },
              { name: 'WinEventLog:PowerShell', channel: 'EventCode=4104', dataComponentId: 'DC0064' },
            ],
          },
        ],
      },
    ]);
  });

  it('lookup of a group by alias lists aliases, techniques, software and campaigns', () => {
    const r = run(['attack', 'lookup', 'fancy thing', '--json', '--attack', miniBundlePath]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      kind: 'group',
      id: 'G0001',
      aliases: ['FANCY THING'],
      techniques: [{ id: 'T1059.001', name: 'PowerShell' }],
      software: [{ id: 'S0001', name: 'EvilTool' }],
      campaigns: [{ id: 'C0001', name: 'Operation Mini' }],
    });
  });

  it('readable lookup says the ID was revoked', () => {
    const r = run(['attack', 'lookup', 'T1150', '--attack', miniBundlePath]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('T1150 -> T1500 was revoked; replaced by T1547.');
  });

  it('unknown ID: exit 2 and one line', () => {
    const r = run(['attack', 'lookup', 'T9999', '--attack', miniBundlePath]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('T9999');
  });

  it('no data: exit 2 saying to run hindsight attack update', () => {
    const r = run(['attack', 'info'], { HINDSIGHT_CACHE_DIR: join(cache, 'nothing') });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('hindsight attack update');
  });

  it('update --from installs into the cache, then info uses it', () => {
    const u = run(['attack', 'update', '--from', miniBundlePath, '--json'], { HINDSIGHT_CACHE_DIR: join(cache, 'installed') });
    expect(u.status).toBe(0);
    expect(JSON.parse(u.stdout)).toMatchObject({ domain: 'enterprise-attack', version: '18.1' });
    const r = run(['attack', 'info', '--json'], { HINDSIGHT_CACHE_DIR: join(cache, 'installed') });
    expect(JSON.parse(r.stdout)).toMatchObject({ techniques: 4 });
  });

  const real = attackBundle('enterprise-attack-18.1.json.gz');
  it.runIf(requireOrSkip('ATT&CK Enterprise 18.1 bundle', Boolean(real.path), real.reason))('info --json on the real 18.1 bundle', () => {
    const r = run(['attack', 'info', '--json', '--attack', real.path as string]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ domain: 'enterprise-attack', version: '18.1', techniques: 216, subtechniques: 475, tactics: 14, groups: 172, campaigns: 52 });
  });
});
