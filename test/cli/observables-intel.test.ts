import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { built, examples, runCli, scratch } from './run.js';

const dir = scratch('hindsight-observables-');
const intel = (name: string) => join(projectRoot, 'test', 'fixtures', 'intel', name);
const pg = await pgAvailable();
const targets: { name: string; db: () => string }[] = [{ name: 'SQLite', db: () => join(dir, `h-${Math.random().toString(36).slice(2)}.db`) }];
if (pg.url) {
  const schemas = postgresSchemas(pg.url, 'hs_obs_cli');
  targets.push({ name: 'PostgreSQL', db: () => schemas.next() });
  afterAll(() => schemas.dropAll());
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing')).each(targets)('hindsight observables and intel on $name', ({ db: target }) => {
  const db = target();
  const run = (...args: string[]) => runCli([...args, '--db', db], { cwd: dir, env: { HINDSIGHT_USER: 'ana' } });
  let ransomware = '';

  it('lists the observables of imported incidents and adds and tags them', () => {
    expect(run('import', join(examples, 'ransomware.json'), join(examples, 'identity-attack.json'), '--json').status).toBe(0);
    const incidents = JSON.parse(run('incidents', '--json').stdout) as { incidents: { id: string; sourceId: string; title: string }[] };
    ransomware = incidents.incidents.find((i) => /ransom/i.test(i.title))?.id ?? incidents.incidents[0]?.id ?? '';
    const list = run('observables', 'list', '--incident', ransomware, '--json');
    expect(list.status).toBe(0);
    const page = JSON.parse(list.stdout) as { total: number; observables: { type: string; value: string; incidentCount: number }[] };
    expect(page.observables.map((o) => `${o.type} ${o.value}`)).toContain('ipv4 203.0.113.66');

    const added = run('observables', 'add', ransomware, '--type', 'domain', '--value', 'C2.Evil.EXAMPLE', '--ioc', '--tlp', 'green', '--json');
    expect(added.status).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ type: 'domain', value: 'c2.evil.example', ioc: true, tlp: 'GREEN', source: 'manual' });

    const tagged = run('observables', 'tag', '203.0.113.66', '--add', 'c2,cobalt-strike', '--ioc', '--json');
    expect(JSON.parse(tagged.stdout)).toMatchObject({ value: '203.0.113.66', ioc: true, tags: ['c2', 'cobalt-strike'] });
    const untagged = run('observables', 'tag', '203.0.113.66', '--remove', 'c2', '--no-ioc', '--tlp', 'inherit', '--json');
    expect(JSON.parse(untagged.stdout)).toMatchObject({ ioc: false, tags: ['cobalt-strike'], tlpSet: false });

    const iocs = JSON.parse(run('observables', 'list', '--ioc', '--json').stdout) as { observables: { value: string }[] };
    expect(iocs.observables.map((o) => o.value)).toEqual(['c2.evil.example']);
    const human = run('observables', 'list', '--ioc');
    expect(human.stdout).toMatch(/domain\s+c2\.evil\.example\s+IOC\s+GREEN\s+1/);
  });

  it('refuses bad usage with exit 2 and one line', () => {
    for (const args of [
      ['observables', 'add', ransomware, '--type', 'ipv4', '--value', '1.2.3'],
      ['observables', 'add', ransomware, '--type', 'mac', '--value', 'x'],
      ['observables', 'add', 'inc_000000000000', '--type', 'ipv4', '--value', '192.0.2.1'],
      ['observables', 'add', ransomware, '--type', 'ipv4', '--value', '192.0.2.1', '--tlp', 'purple'],
      ['observables', 'tag', '203.0.113.66'],
      ['observables', 'tag', '198.51.100.200', '--ioc'],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('imports STIX and MISP intelligence, finds a past sighting, and re-imports idempotently', () => {
    const first = run('intel', 'import', intel('partner-bundle.json'), intel('partner-misp.json'), '--json');
    expect(first.status).toBe(0);
    const report = JSON.parse(first.stdout) as { indicators: number; sightings: { indicator: { name: string; tlp: string | null }; incidents: string[] }[] };
    expect(Object.keys(report).sort()).toEqual(['indicators', 'sightings']);
    expect(report.indicators).toBe(11);
    expect(report.sightings.find((s) => s.indicator.name === 'Cobalt Strike team server')?.incidents).toEqual([ransomware]);
    expect(first.stderr).toMatch(/partner-bundle\.json: indicator--2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b: not evaluable: operator MATCHES/);
    const again = run('intel', 'import', intel('partner-bundle.json'), intel('partner-misp.json'), '--json');
    expect(JSON.parse(again.stdout)).toEqual(report);
    const human = run('intel', 'import', intel('partner-bundle.json'));
    expect(human.stdout).toMatch(/6 indicator\(s\): 0 new, 0 updated, 6 unchanged/);
  });

  it('refuses a bad intelligence file with exit 2 naming the file and JSON path', () => {
    const bad = join(dir, 'bad-misp.json');
    writeFileSync(bad, JSON.stringify({ Event: { info: 'x', Object: [{ name: 'file', Attribute: [{ value: 'a' }] }] } }));
    const r = run('intel', 'import', intel('partner-bundle.json'), bad, '--json');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`hindsight: ${bad}: $.Event.Object[0].Attribute[0].type: a MISP attribute needs a type (string)`);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'not json at all');
    const r2 = run('intel', 'import', notJson);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(new RegExp(`^hindsight: ${notJson.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: \\$: not JSON`));
  });
});
