import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { v5 as uuidv5 } from 'uuid';
import { renderAttackFlow } from '../../src/export/attack-flow.js';
import { buildAttackStory } from '../../src/export/attack-story.js';
import { layoutAttackStory } from '../../src/export/attack-story-layout.js';
import { attackStoryHtmlSection, renderAttackStorySvg } from '../../src/export/attack-story-svg.js';
import { renderMispEvent } from '../../src/export/misp-event.js';
import { renderStixBundle } from '../../src/export/stix-bundle.js';
import { jcs, scoId, STIX_SCO_NAMESPACE } from '../../src/export/stix-ids.js';
import { observablePattern, patternString } from '../../src/export/stix-observables.js';
import { TLP_MARKING_IDS } from '../../src/export/tlp-markings.js';
import { attackFlowProblems, mispObjectTemplate, stixProblems } from '../helpers/share-validators.js';
import { shareFixture } from './share-fixture.js';

type Obj = { type: string; id: string; [k: string]: unknown };
const byType = (objects: Obj[], type: string) => objects.filter((o) => o.type === type);

describe('STIX 2.1 bundle', () => {
  it('is valid against the OASIS schemas, with every part the review has', () => {
    const bundle = renderStixBundle(shareFixture());
    expect(stixProblems(bundle)).toEqual([]);
    const o = bundle.objects as Obj[];
    expect(byType(o, 'identity')[0]).toMatchObject({ name: 'Blue Team', identity_class: 'organization' });
    expect(byType(o, 'incident')[0]).toMatchObject({ name: 'Ransomware on finance', description: 'The review summary.', spec_version: '2.1' });
    const pattern = byType(o, 'attack-pattern').find((p) => (p.external_references as { external_id: string }[])[0]?.external_id === 'T1566.001');
    expect(pattern?.external_references).toEqual([{ source_name: 'mitre-attack', external_id: 'T1566.001', url: 'https://attack.mitre.org/techniques/T1566/001' }]);
    expect(byType(o, 'intrusion-set')[0]).toMatchObject({ name: 'Sandworm Team' });
    const attributed = byType(o, 'relationship').find((r) => r.relationship_type === 'attributed-to');
    expect(attributed).toMatchObject({ confidence: 62, source_ref: byType(o, 'incident')[0]?.id, target_ref: byType(o, 'intrusion-set')[0]?.id });
    expect(byType(o, 'course-of-action').map((c) => c.name).sort()).toEqual(['Block macros from the internet', 'Detect encoded PowerShell']);
    expect(byType(o, 'relationship').some((r) => r.relationship_type === 'mitigates')).toBe(true);
    // Every SDO/SRO: created_by_ref, millisecond Z timestamps, a TLP marking.
    for (const x of o.filter((x) => x.type !== 'marking-definition')) {
      expect(x.object_marking_refs, x.id).toHaveLength(1);
      for (const key of ['created', 'modified', 'valid_from', 'first_observed', 'last_observed', 'first_seen', 'last_seen']) {
        if (typeof x[key] === 'string') expect(x[key], `${x.id} ${key}`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
    }
  });

  it('gives SCOs the deterministic UUIDv5 ids of the specification', () => {
    // The specification's own example: ipv4-addr 198.51.100.3 (and the SCO namespace).
    expect(scoId({ type: 'ipv4-addr', value: '198.51.100.3' })).toBe(`ipv4-addr--${uuidv5('{"value":"198.51.100.3"}', STIX_SCO_NAMESPACE)}`);
    // Only one hash contributes, MD5 first; the name contributes too, keys sorted (RFC 8785).
    expect(scoId({ type: 'file', name: 'a.exe', hashes: { 'SHA-256': 'ab', MD5: 'cd' } })).toBe(`file--${uuidv5('{"hashes":{"MD5":"cd"},"name":"a.exe"}', STIX_SCO_NAMESPACE)}`);
    expect(jcs({ b: 1, a: ['x', { d: null, c: 'é' }] })).toBe('{"a":["x",{"c":"é","d":null}],"b":1}');
    const bundle = renderStixBundle(shareFixture());
    const ip = (bundle.objects as Obj[]).find((x) => x.type === 'ipv4-addr');
    expect(ip?.id).toBe('ipv4-addr--' + uuidv5('{"value":"203.0.113.66"}', STIX_SCO_NAMESPACE));
    // Hindsight's own objects and the process (no contributing properties) carry version-4 UUIDs.
    for (const x of bundle.objects as Obj[]) {
      if (['ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'file', 'email-addr', 'user-account', 'windows-registry-key'].includes(x.type)) expect(x.id, x.id).toMatch(/--[0-9a-f]{8}-[0-9a-f]{4}-5/);
      else if (x.type !== 'marking-definition') expect(x.id, x.id).toMatch(/--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab]/);
    }
    // The same input always gives the same bundle.
    expect(JSON.stringify(renderStixBundle(shareFixture()))).toBe(JSON.stringify(bundle));
  });

  it('writes indicators with valid patterns for IOCs, and sightings tying them to the team', () => {
    const o = renderStixBundle(shareFixture()).objects as Obj[];
    const patterns = byType(o, 'indicator').map((i) => i.pattern);
    expect(patterns).toContain("[ipv4-addr:value = '203.0.113.66']");
    expect(patterns).toContain("[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']");
    expect(patterns).toContain("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
    expect(patterns).toContain("[domain-name:value = 'c2.evil.example.com']");
    // Not flagged as IOC: no indicator; no STIX type for a bare host name or a cloud resource.
    expect(patterns.some((p) => String(p).includes('svc-backup'))).toBe(false);
    expect(byType(o, 'sighting')).toHaveLength(byType(o, 'indicator').length);
    for (const s of byType(o, 'sighting')) expect(s.where_sighted_refs).toEqual([byType(o, 'identity')[0]?.id]);
    expect(byType(o, 'observed-data').length).toBeGreaterThanOrEqual(12);
  });

  it('writes any string as a pattern literal that reads back as itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const literal = patternString(value);
        const body = /^'((?:[^'\\]|\\['\\])*)'$/su.exec(literal)?.[1];
        expect(body).toBeDefined();
        expect((body ?? '').replace(/\\(['\\])/g, '$1')).toBe(value);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes quotes and backslashes in patterns', () => {
    expect(patternString(`a'b\\c`)).toBe(`'a\\'b\\\\c'`);
    expect(observablePattern({ id: 'x', type: 'file-name', value: `x' OR [file:name = 'y`, ioc: true, tlp: 'clear', tags: [], firstSeen: null, lastSeen: null, alertIds: [] })).toBe(`[file:name = 'x\\' OR [file:name = \\'y']`);
  });

  it('leaves out everything above --tlp-max and what only pointed at it', () => {
    const full = renderStixBundle(shareFixture());
    const green = renderStixBundle(shareFixture(), { tlpMax: 'green' });
    expect(stixProblems(green)).toEqual([]);
    const allowed = new Set([TLP_MARKING_IDS.clear, TLP_MARKING_IDS.green]);
    for (const x of green.objects as Obj[]) if (x.type !== 'marking-definition') expect((x.object_marking_refs as string[]).every((m) => allowed.has(m)), x.id).toBe(true);
    const types = new Set(green.objects.map((x) => x.type));
    expect(types.has('incident')).toBe(false);
    expect(types.has('course-of-action')).toBe(false);
    expect(types.has('ipv4-addr')).toBe(true);
    // Public ATT&CK objects stay only where a kept object refers to them: their mere presence would tell the incident's techniques and attribution.
    expect(types.has('intrusion-set')).toBe(false);
    const patternIds = new Set((green.objects as Obj[]).filter((x) => x.type === 'attack-pattern').map((x) => x.id));
    const indicated = new Set((green.objects as Obj[]).filter((x) => x.type === 'relationship' && x.relationship_type === 'indicates').map((x) => String(x.target_ref)));
    expect([...patternIds].sort()).toEqual([...indicated].sort());
    expect((green.objects as Obj[]).filter((x) => x.type === 'marking-definition').map((m) => m.id).sort()).toEqual([...allowed].sort());
    expect(green.objects.length).toBeLessThan(full.objects.length);
    const red = renderStixBundle(shareFixture(), { tlpMax: 'red' });
    expect(red.objects.length).toBe(full.objects.length);
    const strict = renderStixBundle(shareFixture(), { tlpMax: 'amber' });
    expect(strict.objects.some((x) => x.type === 'windows-registry-key')).toBe(false);
    expect(stixProblems(strict)).toEqual([]);
  });

  it('uses the TLP 2.0 marking definitions OASIS publishes', () => {
    const markings = (renderStixBundle(shareFixture()).objects as Obj[]).filter((x) => x.type === 'marking-definition');
    const amber = markings.find((m) => m.id === 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421');
    expect(amber).toEqual({
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
      created: '2022-10-01T00:00:00.000Z',
      name: 'TLP:AMBER',
      extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: 'amber' } },
    });
    expect(markings.map((m) => m.id)).toContain('marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003');
  });
});

/** MISP's own rules for the types Hindsight writes (PyMISP data/describeTypes.json: default category, allowed categories). */
const MISP_RULES: Record<string, { defaultCategory: string; categories: string[] }> = {
  'ip-dst': { defaultCategory: 'Network activity', categories: ['Network activity', 'Payload delivery', 'External analysis'] },
  domain: { defaultCategory: 'Network activity', categories: ['Network activity', 'Payload delivery', 'External analysis'] },
  hostname: { defaultCategory: 'Network activity', categories: ['Network activity', 'Payload delivery', 'External analysis'] },
  url: { defaultCategory: 'Network activity', categories: ['Network activity', 'Payload delivery', 'External analysis'] },
  md5: { defaultCategory: 'Payload delivery', categories: ['Payload delivery', 'Artifacts dropped', 'Payload installation', 'External analysis'] },
  sha1: { defaultCategory: 'Payload delivery', categories: ['Payload delivery', 'Artifacts dropped', 'Payload installation', 'External analysis'] },
  sha256: { defaultCategory: 'Payload delivery', categories: ['Payload delivery', 'Artifacts dropped', 'Payload installation', 'External analysis'] },
  filename: { defaultCategory: 'Payload delivery', categories: ['Payload delivery', 'Artifacts dropped', 'Payload installation', 'Persistence mechanism', 'External analysis'] },
  'email-src': { defaultCategory: 'Payload delivery', categories: ['Payload delivery', 'Social network'] },
  regkey: { defaultCategory: 'Persistence mechanism', categories: ['Persistence mechanism', 'Artifacts dropped', 'External analysis'] },
  'target-user': { defaultCategory: 'Targeting data', categories: ['Targeting data'] },
  'threat-actor': { defaultCategory: 'Attribution', categories: ['Attribution'] },
  text: { defaultCategory: 'Other', categories: ['Other', 'Artifacts dropped', 'Internal reference', 'Payload delivery', 'Network activity', 'Attribution'] },
};

describe('MISP event', () => {
  it('follows the MISP core format and MISP type and category rules', () => {
    const { Event: e } = renderMispEvent(shareFixture());
    expect(e).toMatchObject({ info: 'Ransomware on finance', date: '2026-02-10', threat_level_id: '1', analysis: '2', distribution: '0', published: false });
    expect(e.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const attributes = [...e.Attribute, ...e.Object.flatMap((o) => o.Attribute)];
    for (const a of attributes) {
      const rule = MISP_RULES[a.type];
      expect(rule, a.type).toBeDefined();
      expect(rule?.categories, `${a.type} in ${a.category}`).toContain(a.category);
      expect(typeof a.to_ids).toBe('boolean');
      expect(a.timestamp).toMatch(/^\d+$/);
    }
    const typeOf = (v: string) => attributes.find((a) => a.value === v);
    expect(typeOf('203.0.113.66')).toMatchObject({ type: 'ip-dst', category: 'Network activity', to_ids: true, distribution: '1' });
    expect(typeOf('evil.example.com')).toMatchObject({ type: 'domain', to_ids: true, distribution: '3' });
    expect(typeOf('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toMatchObject({ type: 'sha256', category: 'Payload delivery' });
    expect(typeOf('attacker@evil.example.com')).toMatchObject({ type: 'email-src', category: 'Payload delivery' });
    expect(typeOf('ws-hr-017')).toMatchObject({ type: 'hostname', to_ids: false });
    expect(e.Tag.map((t) => t.name)).toEqual(expect.arrayContaining(['tlp:amber', 'misp-galaxy:mitre-attack-pattern="Spearphishing Attachment - T1566.001"', 'misp-galaxy:mitre-attack-pattern="Data Encrypted for Impact - T1486"', 'misp-galaxy:mitre-intrusion-set="Sandworm Team - G0034"']));
    expect(attributes.find((a) => a.value === 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')?.Tag.map((t) => t.name)).toContain('tlp:red');
    expect(attributes.find((a) => a.value.startsWith('HKLM'))?.Tag.map((t) => t.name)).toContain('tlp:amber+strict');
  });

  it('groups a file and a domain with its address into objects as the MISP templates define them', () => {
    const { Event: e } = renderMispEvent(shareFixture());
    for (const o of e.Object) {
      const template = mispObjectTemplate(o.name as 'file' | 'domain-ip');
      expect(o.template_uuid).toBe(template.uuid);
      expect(o.template_version).toBe(String(template.version));
      expect(o['meta-category']).toBe(template['meta-category']);
      for (const a of o.Attribute) expect(template.attributes[a.object_relation ?? '']?.['misp-attribute'], `${o.name}.${a.object_relation}`).toBe(a.type);
      const relations = o.Attribute.map((a) => a.object_relation ?? '');
      for (const r of new Set(relations)) if (!template.attributes[r]?.multiple) expect(relations.filter((x) => x === r), `${o.name}.${r} appears once`).toHaveLength(1);
      if (template.requiredOneOf) expect(relations.some((r) => template.requiredOneOf?.includes(r))).toBe(true);
    }
    expect(e.Object.map((o) => [o.name, o.Attribute.map((a) => a.object_relation).sort()])).toEqual([
      ['file', ['filename', 'md5', 'sha1']],
      ['domain-ip', ['hostname', 'ip']],
    ]);
    expect(e.Attribute.some((a) => a.value === '203.0.113.66')).toBe(false);
  });

  it('leaves out attributes above --tlp-max, and the incident itself when it is above', () => {
    const { Event: e } = renderMispEvent(shareFixture(), { tlpMax: 'green' });
    const values = [...e.Attribute, ...e.Object.flatMap((o) => o.Attribute)].map((a) => a.value);
    expect(values).toContain('203.0.113.66');
    expect(values).toContain('evil.example.com');
    expect(values).not.toContain('d41d8cd98f00b204e9800998ecf8427e');
    expect(values.some((v) => v.includes('review summary'))).toBe(false);
    expect(e.info).toBe('Indicators shared by Blue Team');
    expect(e.Tag.map((t) => t.name)).toContain('tlp:green');
    expect(e.Tag.some((t) => t.name.includes('intrusion-set') || t.name.includes('attack-pattern'))).toBe(false);
  });
});

describe('Attack Flow 2.0', () => {
  it('is valid against the Attack Flow schema and connected as the Builder expects', () => {
    const flow = renderAttackFlow(shareFixture());
    expect(attackFlowProblems(flow)).toEqual([]);
    const o = flow.objects as Obj[];
    const actions = byType(o, 'attack-action');
    expect(actions.map((a) => a.technique_id)).toEqual(['T1566.001', 'T1059.001', 'T1486']);
    expect(actions.map((a) => a.tactic_id)).toEqual(['TA0001', 'TA0002', 'TA0040']);
    expect(actions[0]?.effect_refs).toEqual([actions[1]?.id]);
    expect(actions[1]?.effect_refs).toEqual([actions[2]?.id]);
    expect(actions[2]?.effect_refs).toBeUndefined();
    expect(byType(o, 'attack-flow')[0]?.start_refs).toEqual([actions[0]?.id]);
    expect(actions[0]).toMatchObject({ execution_start: '2026-02-10T08:01:00.000Z', execution_end: '2026-02-10T08:02:00.000Z' });
    // The command line is the PowerShell step's command_ref; the hosts and accounts are assets.
    expect(String(actions[1]?.command_ref)).toMatch(/^process--/);
    expect(byType(o, 'attack-asset').map((a) => a.name).sort()).toEqual(['jdoe@contoso.com', 'ws-hr-017']);
    expect(byType(o, 'attack-asset').find((a) => a.name === 'jdoe@contoso.com')?.object_ref).toMatch(/^user-account--/);
  });
});

describe('hostile text in every field', () => {
  it('keeps every format valid JSON, valid against its schema, with valid patterns', () => {
    const doc = shareFixture('hostile');
    const stix = renderStixBundle(doc);
    const flow = renderAttackFlow(doc);
    const misp = renderMispEvent(doc);
    for (const out of [stix, flow, misp]) {
      const text = JSON.stringify(out, null, 2);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(out)));
      // No raw control character: JSON escapes them (the newlines are the indentation's).
      expect([...text].some((c) => c !== '\n' && c.charCodeAt(0) < 0x20)).toBe(false);
    }
    expect(stixProblems(stix)).toEqual([]);
    expect(attackFlowProblems(flow)).toEqual([]);
    for (const i of (stix.objects as Obj[]).filter((x) => x.type === 'indicator')) {
      // A STIX string literal: quotes and backslashes only ever escaped.
      const literal = String(i.pattern).match(/^\[[a-z0-9-]+:[A-Za-z0-9_.'-]+ = '((?:[^'\\]|\\['\\])*)'\]$/su);
      expect(literal, String(i.pattern)).not.toBeNull();
    }
    expect(misp.Event.info).toContain('</script>');
  });
});

describe('the attack story', () => {
  it('has the Attack Flow steps in order, and a layout that places every node once per row', () => {
    const doc = shareFixture();
    const story = buildAttackStory(doc);
    expect(story.nodes.filter((n) => n.kind === 'action').map((n) => n.label)).toEqual(['Spearphishing Attachment', 'PowerShell', 'Data Encrypted for Impact']);
    expect(story.edges.filter((e) => e.kind === 'next')).toHaveLength(2);
    // The host nobody's step touched is not drawn.
    expect(story.nodes.some((n) => n.label === 'never-touched')).toBe(false);
    const layout = layoutAttackStory(story, 2);
    const keys = layout.nodes.map((n) => n.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of layout.edges) expect(keys, e.id).toEqual(expect.arrayContaining([e.source, e.target]));
    // Two rows: the third step starts the second one, below the first row's band.
    const third = layout.nodes.find((n) => n.label === 'Data Encrypted for Impact');
    expect(third?.x).toBe(layout.nodes.find((n) => n.label === 'Spearphishing Attachment')?.x);
    expect(third?.y).toBeGreaterThan(Math.max(...layout.nodes.filter((n) => n.kind !== 'action' && n.key.endsWith('#0')).map((n) => n.y)));
  });

  it('renders hostile text as inert, well-formed SVG', () => {
    const svg = renderAttackStorySvg(buildAttackStory(shareFixture('hostile')));
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;/script&gt;');
    // XML 1.0 allows only tab, line feed and carriage return below U+0020.
    expect([...svg].some((c) => !'\t\n\r'.includes(c) && c.charCodeAt(0) < 0x20)).toBe(false);
    // No lone surrogate: the text is valid UTF-16 (and so valid XML characters).
    expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(svg)).toBe(false);
    // Every element opened is closed: a tag count over the whole picture.
    const opened = (svg.match(/<(g|svg|text|title|defs|marker)[\s>]/g) ?? []).length;
    const closed = (svg.match(/<\/(g|svg|text|title|defs|marker)>/g) ?? []).length;
    expect(opened).toBe(closed);
    expect(attackStoryHtmlSection(buildAttackStory(shareFixture('hostile')))).toContain('<h2>Attack story</h2>');
  });
});
