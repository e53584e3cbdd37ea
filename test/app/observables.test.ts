import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restrictIncident } from '../../src/app/accounts/incident-access.js';
import { importFiles } from '../../src/app/import.js';
import { incidentPage } from '../../src/app/incidents.js';
import { addObservable, listObservables, markObservable, observablesOfIncident, setIncidentTlp } from '../../src/app/observables.js';
import type { Reader } from '../../src/model/accounts.js';
import { InputError, NotFoundError } from '../../src/model/errors.js';
import { observableId } from '../../src/model/observable-values.js';
import { backfillObservables, openStore, type OpenedStore } from '../../src/store/index.js';
import { alert, fullIncident } from '../fixtures/store/incidents.js';
import { pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

const analyst: Reader = { username: 'ana', role: 'analyst' };
const other: Reader = { username: 'otto', role: 'admin' };
const example = (name: string) => join(projectRoot, 'examples', name);

/** An incident whose one alert's evidence is an IP address and a file with a hash. */
function incidentWith(sourceId: string, ip: string, sha256: string) {
  const base = alert(`${sourceId}-a1`, '2026-03-02T09:00:00.000Z');
  return fullIncident({
    sourceId,
    title: `Incident ${sourceId}`,
    alerts: [
      {
        ...base,
        evidence: [
          { kind: 'ip', sourceType: 'Ip', key: ip, displayName: ip, roles: [], verdict: null, remediationStatus: null, createdAt: null, attributes: { ipAddress: ip }, raw: {} },
          { kind: 'file', sourceType: 'File', key: sha256, displayName: 'payload.exe', roles: [], verdict: null, remediationStatus: null, createdAt: '2026-03-02T08:59:00.000Z', attributes: { sha256, fileName: 'payload.exe' }, raw: {} },
        ],
      },
    ],
  });
}

function suite(open: () => Promise<OpenedStore>) {
  let store: OpenedStore;
  let ransomware: string;
  beforeAll(async () => {
    store = await open();
    const result = await importFiles(store, [example('ransomware.json'), example('identity-attack.json'), example('m365d-incidents.json')]);
    expect(result.summary.incidents).toBeGreaterThan(2);
    const page = await incidentPage(store, { q: 'ransomware', limit: 10, offset: 0 }, new Set());
    ransomware = page.incidents[0]?.id ?? ransomware;
  });
  afterAll(() => store.close());

  it('extracts the observables of the example incidents at import, normalised', async () => {
    const observables = await observablesOfIncident(store, ransomware, analyst);
    const pairs = observables.map((o) => `${o.type} ${o.value}`);
    expect(pairs).toContain('ipv4 203.0.113.66');
    expect(pairs).toContain('sha256 a9e72d6eddf4fd66cc29dd5facfed96bace06c956b170735dfd6fb98d45d0e8e');
    expect(pairs).toContain('file-name Payroll_Adjustment_Feb.docm');
    expect(pairs).toContain('process-command-line powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA');
    expect(pairs).toContain('registry-key HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows Defender');
    const ip = observables.find((o) => o.value === '203.0.113.66');
    expect(ip?.tlp).toBe('AMBER');
    expect(ip?.tlpSet).toBe(false);
    expect(ip?.source).toBe('entity');
    expect(ip?.sightings.every((s) => s.incidentId === ransomware && s.alertId?.startsWith('al_'))).toBe(true);
    expect(ip?.firstSeen).not.toBeNull();
  });

  it('deduplicates an observable across incidents and counts its sightings', async () => {
    await store.importIncidents([incidentWith('X-1', '198.51.100.7', 'A'.repeat(64)), incidentWith('X-2', '198.51.100.7', 'b'.repeat(64))]);
    const { observables } = await listObservables(store, { value: '198.51.100.7' }, analyst);
    expect(observables).toHaveLength(1);
    expect(observables[0]?.incidentCount).toBe(2);
    expect(observables[0]?.sightingCount).toBe(2);
    const hash = await listObservables(store, { value: 'a'.repeat(64), type: 'sha256' }, analyst);
    expect(hash.observables[0]?.value).toBe('a'.repeat(64));
    // A re-import of the same records adds no sighting.
    await store.importIncidents([incidentWith('X-1', '198.51.100.7', 'A'.repeat(64))]);
    const again = await listObservables(store, { value: '198.51.100.7' }, analyst);
    expect(again.observables[0]?.sightingCount).toBe(2);
  });

  it('finds incidents by observable value in the incident list', async () => {
    const page = await incidentPage(store, { observable: '198.51.100.7', limit: 10, offset: 0 }, new Set());
    expect(page.incidents.map((i) => i.title).sort()).toEqual(['Incident X-1', 'Incident X-2']);
    const byQ = await incidentPage(store, { q: '198.51.100.7', limit: 10, offset: 0 }, new Set());
    expect(byQ.incidents.map((i) => i.title).sort()).toEqual(['Incident X-1', 'Incident X-2']);
  });

  it('adds an observable by hand with marks, inheriting the incident TLP', async () => {
    const added = await addObservable(store, 'X-1', { type: 'domain', value: 'Bücher.Example.', ioc: true, tags: ['c2'] }, analyst);
    expect(added.value).toBe('xn--bcher-kva.example');
    expect(added.ioc).toBe(true);
    expect(added.tags).toEqual(['c2']);
    expect(added.source).toBe('manual');
    expect(added.sightings[0]?.alertId).toBeNull();
    await setIncidentTlp(store, 'X-1', 'RED', analyst);
    const [listed] = (await listObservables(store, { value: 'xn--bcher-kva.example' }, analyst)).observables;
    expect(listed?.tlp).toBe('RED');
    const marked = await markObservable(store, 'bücher.example', { addTags: ['phishing'], removeTags: ['c2'], tlp: 'GREEN' }, analyst);
    expect(marked.tags).toEqual(['phishing']);
    expect(marked.tlp).toBe('GREEN');
    expect(marked.tlpSet).toBe(true);
    const iocs = await listObservables(store, { ioc: true }, analyst);
    expect(iocs.observables.map((o) => o.value)).toEqual(['xn--bcher-kva.example']);
    const entries = await store.db.selectFrom('auditLog').select(['action', 'entityId']).where('action', 'in', ['observable.add', 'observable.mark', 'incident.tlp']).execute();
    expect(entries.map((e) => e.action).sort()).toEqual(['incident.tlp', 'observable.add', 'observable.mark']);
  });

  it('refuses bad values with one clear error and writes nothing', async () => {
    await expect(addObservable(store, 'X-1', { type: 'ipv4', value: '999.1.1.1' }, analyst)).rejects.toThrow(InputError);
    await expect(addObservable(store, 'X-1', { type: 'ipv4', value: '999.1.1.1' }, analyst)).rejects.toThrow(/not an IPv4 address/);
    await expect(addObservable(store, 'nope', { type: 'ipv4', value: '192.0.2.1' }, analyst)).rejects.toThrow(NotFoundError);
    expect(await store.db.selectFrom('observables').select('id').where('id', '=', observableId('ipv4', '192.0.2.1')).executeTakeFirst()).toBeUndefined();
  });

  it('hides restricted incidents: their sightings count for nothing and their observables do not exist', async () => {
    const x2 = (await incidentPage(store, { q: 'X-2', limit: 5, offset: 0 }, new Set())).incidents[0]?.id ?? '';
    await restrictIncident(store, x2, ['ana'], 'ana');
    const forOther = await listObservables(store, { value: '198.51.100.7' }, other);
    expect(forOther.observables[0]?.incidentCount).toBe(1);
    expect(forOther.observables[0]?.sightings.map((s) => s.incidentId)).not.toContain(x2);
    expect((await listObservables(store, { value: 'b'.repeat(64) }, other)).total).toBe(0);
    await expect(observablesOfIncident(store, x2, other)).rejects.toThrow(NotFoundError);
    await expect(markObservable(store, 'b'.repeat(64), { ioc: true }, other)).rejects.toThrow(NotFoundError);
    expect((await listObservables(store, { value: 'b'.repeat(64) }, analyst)).total).toBe(1);
    await restrictIncident(store, x2, [], 'ana');
  });

  it('backfills observables of incidents stored before they existed', async () => {
    await store.db.deleteFrom('observableSightings').execute();
    await store.db.deleteFrom('observables').execute();
    expect((await listObservables(store, {}, analyst)).total).toBe(0);
    await backfillObservables(store.db.withoutPlugins(), store.kind);
    const observables = await observablesOfIncident(store, ransomware, analyst);
    expect(observables.map((o) => o.value)).toContain('203.0.113.66');
    const { observables: ip } = await listObservables(store, { value: '198.51.100.7' }, analyst);
    expect(ip[0]?.incidentCount).toBe(2);
  });
}

describe('observables on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-observables-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  suite(() => openStore({ db: join(dir, 'h.db'), auditKeyFile: join(dir, 'audit.key') }));
});

const postgres = await pgAvailable();
describe.runIf(requireOrSkip('PostgreSQL for the observables tests', Boolean(postgres.url), postgres.reason))('observables on PostgreSQL', () => {
  const schemas = postgresSchemas(postgres.url as string, 'hs_obs');
  const dir = mkdtempSync(join(tmpdir(), 'hs-observables-pg-'));
  afterAll(async () => {
    await schemas.dropAll();
    rmSync(dir, { recursive: true, force: true });
  });
  suite(() => openStore({ db: schemas.next(), auditKeyFile: join(dir, 'audit.key') }));
});
