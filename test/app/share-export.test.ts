import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/app/import.js';
import { incidentPage } from '../../src/app/incidents.js';
import { importIntel } from '../../src/app/intel.js';
import { listObservables, markObservable, setIncidentTlp } from '../../src/app/observables.js';
import { attackStoryOf, renderShareExport, shareDocumentOf } from '../../src/app/share-export.js';
import { loadBundle } from '../../src/attack/resolve.js';
import type { KnowledgeBase } from '../../src/attack/types.js';
import { renderAttackStorySvg } from '../../src/export/attack-story-svg.js';
import type { Reader } from '../../src/model/accounts.js';
import { InputError } from '../../src/model/errors.js';
import type { StoredIncident } from '../../src/model/index.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { attackFlowProblems, mispObjectTemplate, stixProblems } from '../helpers/share-validators.js';

const admin: Reader = { username: 'ana', role: 'admin' };
const bundle = attackBundle('enterprise-attack-18.1.json.gz');
const NOW = new Date('2026-03-01T12:00:00.000Z');

type Obj = { type: string; id: string; [k: string]: unknown };

function suite(open: () => Promise<OpenedStore>, dir: string) {
  let store: OpenedStore;
  let kb: KnowledgeBase;
  let incident: StoredIncident;
  beforeAll(async () => {
    kb = await loadBundle(bundle.path as string);
    store = await open();
    await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json')]);
    const page = await incidentPage(store, { q: 'ransomware', limit: 5, offset: 0 }, new Set());
    const found = await store.getIncident(page.incidents[0]?.id ?? '');
    if (!found) throw new Error('the ransomware example did not import');
    incident = found;
    // The analyst marks the attacker's infrastructure and payload as indicators, and shares the C2 address more widely.
    for (const value of ['203.0.113.66', 'a9e72d6eddf4fd66cc29dd5facfed96bace06c956b170735dfd6fb98d45d0e8e', 'fabrikam-payroll.example']) {
      const { observables } = await listObservables(store, { value }, admin);
      for (const o of observables) await markObservable(store, o.id, { ioc: true, ...(value === '203.0.113.66' ? { tlp: 'GREEN' as const } : {}) }, admin);
    }
  }, 120_000);
  afterAll(() => store.close());

  const doc = () => shareDocumentOf(store, kb, incident, admin, { team: 'CSIRT "Test" </script>', now: NOW });

  it('exports the ransomware example as STIX 2.1, valid against the OASIS schemas', async () => {
    const exported = renderShareExport(await doc(), 'stix');
    const stix = JSON.parse(exported.body) as { type: string; id: string; objects: Obj[] };
    expect(stixProblems(stix)).toEqual([]);
    expect(exported.counts['attack-pattern']).toBeGreaterThanOrEqual(15);
    expect(exported.counts.indicator).toBeGreaterThanOrEqual(3);
    expect(exported.counts.sighting).toBe(exported.counts.indicator);
    expect(exported.counts['intrusion-set'] ?? 0).toBeGreaterThanOrEqual(0);
    const patterns = stix.objects.filter((o) => o.type === 'indicator').map((o) => o.pattern);
    expect(patterns).toContain("[ipv4-addr:value = '203.0.113.66']");
  });

  it('exports a MISP event and an Attack Flow of the same incident', async () => {
    const d = await doc();
    const misp = JSON.parse(renderShareExport(d, 'misp').body) as { Event: { Attribute: { type: string; value: string; to_ids: boolean }[]; Object: { name: string; template_uuid: string; Attribute: { type: string; value: string; to_ids: boolean; object_relation: string }[] }[]; Tag: { name: string }[] } };
    expect(misp.Event.Object.length).toBeGreaterThan(0);
    for (const o of misp.Event.Object) {
      const template = mispObjectTemplate(o.name as 'file' | 'domain-ip');
      expect(o.template_uuid).toBe(template.uuid);
      const relations = o.Attribute.map((a) => a.object_relation);
      for (const a of o.Attribute) expect(template.attributes[a.object_relation]?.['misp-attribute']).toBe(a.type);
      for (const r of new Set(relations)) if (!template.attributes[r]?.multiple) expect(relations.filter((x) => x === r)).toHaveLength(1);
    }
    const all = [...misp.Event.Attribute, ...misp.Event.Object.flatMap((o) => o.Attribute)];
    expect(all.find((a) => a.value === '203.0.113.66')).toMatchObject({ type: 'ip-dst', to_ids: true });
    expect(misp.Event.Tag.some((t) => t.name.startsWith('misp-galaxy:mitre-attack-pattern="'))).toBe(true);
    const flow = JSON.parse(renderShareExport(d, 'attack-flow').body) as { type: string; id: string; objects: Obj[] };
    expect(attackFlowProblems(flow)).toEqual([]);
    const actions = flow.objects.filter((o) => o.type === 'attack-action');
    expect(actions.length).toBe(d.steps.length);
    const starts = actions.map((a) => Date.parse(String(a.execution_start)));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('draws the attack story from the same steps, escaped, and refuses an empty flow', async () => {
    const story = await attackStoryOf(store, kb, incident, admin, { team: 'x', now: NOW });
    const d = await doc();
    expect(story.nodes.filter((n) => n.kind === 'action').map((n) => n.id)).toEqual(d.steps.map((s) => `action:${s.key}`));
    const svg = renderAttackStorySvg(story);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toContain('<script');
    expect(() => renderShareExport({ ...d, steps: [] }, 'attack-flow')).toThrow(InputError);
  });

  it('keeps what is above --tlp-max out', async () => {
    const green = JSON.parse(renderShareExport(await doc(), 'stix', 'GREEN').body) as { type: string; id: string; objects: Obj[] };
    expect(stixProblems(green)).toEqual([]);
    const types = new Set(green.objects.map((o) => o.type));
    expect(types.has('incident')).toBe(false);
    expect(green.objects.filter((o) => o.type === 'indicator').map((o) => o.pattern)).toEqual(["[ipv4-addr:value = '203.0.113.66']"]);
    await setIncidentTlp(store, incident.id, 'RED', admin);
    const afterRed = await doc();
    expect(afterRed.incident.tlp).toBe('red');
    expect(() => renderShareExport(afterRed, 'attack-flow', 'AMBER')).toThrow(/TLP:RED/);
    await setIncidentTlp(store, incident.id, 'AMBER', admin);
  });

  it('round-trips: the STIX and MISP exports imported as intelligence find the incident', async () => {
    const d = await doc();
    const stixFile = join(dir, 'export.stix.json');
    const mispFile = join(dir, 'export.misp.json');
    writeFileSync(stixFile, renderShareExport(d, 'stix').body);
    writeFileSync(mispFile, renderShareExport(d, 'misp').body);
    for (const file of [stixFile, mispFile]) {
      const result = await importIntel(store, [file], admin);
      expect(result.indicators, file).toBeGreaterThanOrEqual(3);
      const seen = result.sightings.filter((s) => s.incidents.includes(incident.id));
      // Every IOC observable comes back as a sighting of the incident it was exported from.
      expect(seen.length, file).toBeGreaterThanOrEqual(3);
    }
  });
}

describe.runIf(requireOrSkip('the ATT&CK bundle for the share export tests', Boolean(bundle.path), bundle.reason))('share exports of the ransomware example', () => {
  describe('on SQLite', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-share-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    suite(() => openStore({ db: join(dir, 'h.db'), auditKeyFile: join(dir, 'audit.key') }), dir);
  });
});

const postgres = await pgAvailable();
describe.runIf(Boolean(bundle.path) && requireOrSkip('PostgreSQL for the share export tests', Boolean(postgres.url), postgres.reason))('share exports on PostgreSQL', () => {
  const schemas = postgresSchemas(postgres.url as string, 'hs_share');
  const dir = mkdtempSync(join(tmpdir(), 'hs-share-pg-'));
  afterAll(async () => {
    await schemas.dropAll();
    rmSync(dir, { recursive: true, force: true });
  });
  suite(() => openStore({ db: schemas.next(), auditKeyFile: join(dir, 'audit.key') }), dir);
});
