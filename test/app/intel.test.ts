import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/app/import.js';
import { importIntel, intelSightings, listIndicators } from '../../src/app/intel.js';
import { restrictIncident } from '../../src/app/accounts/incident-access.js';
import type { Reader } from '../../src/model/accounts.js';
import { InputError } from '../../src/model/errors.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { alert, fullIncident } from '../fixtures/store/incidents.js';
import { pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

const reader: Reader = { username: 'ana', role: 'analyst' };
const fixture = (name: string) => join(projectRoot, 'test', 'fixtures', 'intel', name);
const bundle = (objects: unknown[]) => JSON.stringify({ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects });
const indicator = (uuid: string, pattern: string, extra: Record<string, unknown> = {}) => ({ type: 'indicator', spec_version: '2.1', id: `indicator--${uuid}`, created: '2026-03-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z', pattern, pattern_type: 'stix', valid_from: '2026-03-01T00:00:00Z', ...extra });

/** An incident whose one alert carries a file named `name` with hash `sha256`. */
function laterIncident(sourceId: string, name: string, sha256: string) {
  const base = alert(`${sourceId}-a`, '2026-04-01T09:00:00.000Z');
  const file = { kind: 'file' as const, sourceType: 'File', key: sha256, displayName: name, roles: [], verdict: null, remediationStatus: null, createdAt: null, attributes: { sha256, fileName: name }, raw: {} };
  return fullIncident({ sourceId, title: `Later ${sourceId}`, alerts: [{ ...base, evidence: [file] }] });
}

function suite(open: () => Promise<OpenedStore>) {
  let store: OpenedStore;
  let ransomware: string;
  const dir = mkdtempSync(join(tmpdir(), 'hs-intel-'));
  beforeAll(async () => {
    store = await open();
    const imported = await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json'), join(projectRoot, 'examples', 'identity-attack.json')]);
    ransomware = imported.results[0]?.id ?? '';
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a STIX bundle and a MISP event and finds sightings in past incidents', async () => {
    const result = await importIntel(store, [fixture('partner-bundle.json'), fixture('partner-misp.json')], reader);
    expect(result.indicators).toBe(11);
    expect(result.created).toBe(11);
    const byName = new Map(result.sightings.map((s) => [s.indicator.name, s]));
    const c2 = byName.get('Cobalt Strike team server');
    expect(c2?.incidents).toEqual([ransomware]);
    expect(c2?.indicator).toMatchObject({ tlp: 'GREEN', producer: 'Example Sector ISAC', format: 'stix', evaluation: 'evaluable', sourceFile: 'partner-bundle.json' });
    expect(byName.get('Macro document')?.indicator.tlp).toBe('AMBER+STRICT');
    const misp = result.sightings.filter((s) => s.indicator.format === 'misp');
    expect(misp.map((s) => s.indicator.pattern).sort()).toEqual(['email-src: PKumar@Contoso.com', 'filename: Payroll_Adjustment_Feb.docm', 'ip-src: 203.0.113.99', 'sha256: a9e72d6eddf4fd66cc29dd5facfed96bace06c956b170735dfd6fb98d45d0e8e']);
    expect(misp.find((s) => s.indicator.pattern.startsWith('email-src'))?.indicator.tlp).toBe('RED');
    expect(misp.find((s) => s.indicator.pattern.startsWith('ip-src'))?.indicator).toMatchObject({ tlp: 'AMBER', producer: 'Partner CERT' });
    expect(result.unevaluable.map((i) => i.reasons.join(' ')).sort()).toEqual([
      'FOLLOWEDBY needs observations ordered in time',
      'MISP type comment has no observable type in Hindsight',
      'operator MATCHES on process:command_line',
      'pattern_type yara: Hindsight evaluates STIX patterns only',
    ]);
    const stored = await listIndicators(store, { evaluation: 'unevaluable' });
    expect(stored.total).toBe(4);
  });

  it('re-imports idempotently', async () => {
    const again = await importIntel(store, [fixture('partner-bundle.json'), fixture('partner-misp.json')], reader);
    expect(again).toMatchObject({ indicators: 11, created: 0, updated: 0, unchanged: 11 });
    expect((await listIndicators(store)).total).toBe(11);
  });

  it('matches incidents imported after the indicators, and AND of comparisons only within one alert', async () => {
    const path = join(dir, 'and.json');
    writeFileSync(path, bundle([indicator('7d6c5b4a-3921-4f0e-8d7c-6b5a49382716', `[file:name = 'dropper.exe' AND file:hashes.'SHA-256' = '${'e'.repeat(64)}']`)]));
    const first = await importIntel(store, [path], reader);
    expect(first.sightings).toEqual([]);
    await store.importIncidents([laterIncident('L-1', 'other.exe', 'e'.repeat(64))]);
    expect((await intelSightings(store, reader)).some((s) => s.indicator.externalId.startsWith('indicator--7d6c5b4a'))).toBe(false);
    const later = await store.importIncidents([laterIncident('L-2', 'dropper.exe', 'E'.repeat(64))]);
    const seen = (await intelSightings(store, reader)).find((s) => s.indicator.externalId.startsWith('indicator--7d6c5b4a'));
    expect(seen?.incidents).toEqual([later.results[0]?.id]);
  });

  it('leaves incidents restricted to other people out of the sightings', async () => {
    await restrictIncident(store, ransomware, ['someone-else'], 'admin');
    const sightings = await intelSightings(store, reader);
    expect(sightings.flatMap((s) => s.incidents)).not.toContain(ransomware);
    await restrictIncident(store, ransomware, [], 'admin');
  });

  it('refuses a bad file with one error naming the file and JSON path, and writes nothing', async () => {
    const before = (await listIndicators(store)).total;
    const cases: [string, string, RegExp][] = [
      ['not-json.json', '{"type": "bundle", ', /not JSON/],
      ['neither.json', '{"hello": 1}', /not a STIX 2.1 bundle/],
      ['no-pattern.json', bundle([{ type: 'indicator', id: 'indicator--a932fcc6-e032-476c-826f-cb970a5a1ade' }]), /pattern/],
      ['bad-objects.json', JSON.stringify({ type: 'bundle', id: 'bundle--x', objects: {} }), /list of STIX objects/],
      ['misp-bad.json', JSON.stringify({ Event: { info: 'x', Attribute: [{ type: 'ip-dst' }] } }), /value/],
    ];
    for (const [name, text, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const error = await importIntel(store, [fixture('partner-bundle.json'), path], reader).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(InputError);
      expect((error as InputError).message, name).toMatch(message);
      expect((error as InputError).location?.file, name).toBe(path);
    }
    const noPattern = (await importIntel(store, [join(dir, 'no-pattern.json')], reader).catch((e: unknown) => e)) as InputError;
    expect(noPattern.location?.path).toBe('$.objects[0].pattern');
    const misp = (await importIntel(store, [join(dir, 'misp-bad.json')], reader).catch((e: unknown) => e)) as InputError;
    expect(misp.location?.path).toBe('$.Event.Attribute[0].value');
    expect((await listIndicators(store)).total).toBe(before);
  });

  it('keeps hostile text from a partner exactly as given, without breaking the store', async () => {
    const hostile = "<script>alert(1)</script>\u0000 \u001b[31mred\u001b[0m \ud800 '; drop table observables; --";
    const path = join(dir, 'hostile.json');
    writeFileSync(path, bundle([
      { type: 'identity', id: 'identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', name: hostile },
      indicator('9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a', "[file:name = '<img src=x onerror=alert(1)>.exe' OR ipv4-addr:value = '203.0.113.66']", { name: hostile, labels: [hostile], created_by_ref: 'identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }),
      indicator('0e1d2c3b-4a59-4687-9786-a5b4c3d2e1f0', `[file:name = '${'\\\\'.repeat(5)}\\'']`, { name: 'escapes' }),
    ]));
    const result = await importIntel(store, [path], reader);
    expect(result.indicators).toBe(2);
    const listed = (await listIndicators(store, { limit: 1000 })).indicators.find((i) => i.externalId.startsWith('indicator--9f8e7d6c'));
    expect(listed?.name).toContain('<script>alert(1)</script>');
    expect(listed?.name).toBe(hostile);
    expect(listed?.labels).toEqual([hostile]);
    expect(listed?.producer).toBe(hostile);
    expect(result.sightings.find((s) => s.indicator.externalId.startsWith('indicator--9f8e7d6c'))?.incidents).toEqual([ransomware]);
  });
}

describe('intel import on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-intel-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  suite(() => openStore({ db: join(dir, 'h.db'), auditKeyFile: join(dir, 'audit.key') }));
});

const postgres = await pgAvailable();
describe.runIf(requireOrSkip('PostgreSQL for the intel tests', Boolean(postgres.url), postgres.reason))('intel import on PostgreSQL', () => {
  const schemas = postgresSchemas(postgres.url as string, 'hs_intel');
  const dir = mkdtempSync(join(tmpdir(), 'hs-intel-pg-'));
  afterAll(async () => {
    await schemas.dropAll();
    rmSync(dir, { recursive: true, force: true });
  });
  suite(() => openStore({ db: schemas.next(), auditKeyFile: join(dir, 'audit.key') }));
});
