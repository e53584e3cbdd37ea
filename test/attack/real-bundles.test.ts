/** Integration: the real ATT&CK bundles in ../shared/attack. */
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/attack/resolve.js';
import { attackBundle, requireOrSkip } from '../helpers/env.js';

const e181 = attackBundle('enterprise-attack-18.1.json.gz');
const e171 = attackBundle('enterprise-attack-17.1.json.gz');
const mobile = attackBundle('mobile-attack-18.1.json.gz');
const ics = attackBundle('ics-attack-18.1.json.gz');

describe.runIf(requireOrSkip('ATT&CK Enterprise 18.1 bundle', Boolean(e181.path), e181.reason))('Enterprise 18.1', () => {
  it('counts live objects as ATT&CK publishes them', async () => {
    const kb = await loadBundle(e181.path as string);
    expect(kb.counts()).toMatchObject({ domain: 'enterprise-attack', version: '18.1', techniques: 216, subtechniques: 475, tactics: 14, groups: 172, campaigns: 52 });
    expect(kb.tactics().map((t) => t.shortname).slice(0, 3)).toEqual(['reconnaissance', 'resource-development', 'initial-access']);
    const t = kb.technique('T1086');
    expect(t?.object.id).toBe('T1059.001');
    expect(t?.revokedFrom).toEqual(['T1086']);
    // v18 detection strategies reach data components through analytics.
    const det = kb.detectionStrategy(t?.object.detectionStrategyIds[0] ?? '')?.object;
    expect(det?.analyticIds.length).toBeGreaterThan(0);
    expect(kb.analytic(det?.analyticIds[0] ?? '')?.object.dataComponentIds.length).toBeGreaterThan(0);
    expect(kb.tactic('Stealth')).toMatchObject({ object: { id: 'TA0005' }, mappedFrom: 'stealth' });
    expect(kb.group('cozy bear')?.object.id).toBe('G0016');
  });
});

describe.runIf(requireOrSkip('ATT&CK Enterprise 17.1 bundle', Boolean(e171.path), e171.reason))('Enterprise 17.1', () => {
  it('resolves T1086 to T1059.001', async () => {
    const kb = await loadBundle(e171.path as string);
    expect(kb.meta.version).toBe('17.1');
    expect(kb.technique('T1086')).toMatchObject({ object: { id: 'T1059.001' }, revokedFrom: ['T1086'] });
    expect(kb.technique('T1059.001')?.object.dataSources.length).toBeGreaterThan(0);
  });
});

describe.runIf(requireOrSkip('ATT&CK Mobile and ICS 18.1 bundles', Boolean(mobile.path && ics.path), mobile.reason || ics.reason))('Mobile and ICS', () => {
  it('loads Mobile', async () => {
    const kb = await loadBundle(mobile.path as string);
    expect(kb.meta.domain).toBe('mobile-attack');
    expect(kb.counts().techniques).toBeGreaterThan(50);
    expect(kb.tactics()[0]?.shortname).toBe('initial-access');
    expect(kb.techniques().every((t) => t.tactics.length > 0)).toBe(true);
  });
  it('loads ICS', async () => {
    const kb = await loadBundle(ics.path as string);
    expect(kb.meta.domain).toBe('ics-attack');
    expect(kb.counts().tactics).toBe(12);
    expect(kb.tactic('Inhibit Response Function')?.object.id).toBe('TA0107');
    expect(kb.techniques().every((t) => t.tactics.length > 0)).toBe(true);
  });
});
