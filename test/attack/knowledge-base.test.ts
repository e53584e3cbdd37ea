import { describe, expect, it } from 'vitest';
import { buildKnowledgeBaseData } from '../../src/attack/build.js';
import { InputError } from '../../src/model/errors.js';
import { miniBundle, miniBundlePath, miniKb } from './mini.js';

describe('knowledge base over the mini bundle', () => {
  const kb = miniKb();

  it('reads domain, release and spec version from the bundle', () => {
    expect(kb.meta).toMatchObject({ domain: 'enterprise-attack', version: '18.1', specVersion: '2.1' });
  });

  it('counts only live objects', () => {
    expect(kb.counts()).toEqual({
      domain: 'enterprise-attack',
      version: '18.1',
      techniques: 4,
      subtechniques: 1,
      tactics: 3,
      groups: 1,
      campaigns: 1,
      software: 2,
      mitigations: 1,
      detectionStrategies: 1,
    });
  });

  it('orders tactics as the matrix does, not by ID', () => {
    expect(kb.tactics().map((t) => `${t.order}:${t.id}`)).toEqual(['0:TA0002', '1:TA0005', '2:TA0003']);
    expect(kb.technique('T1036')?.object.tactics).toEqual(['execution', 'defense-evasion']);
  });

  it('links sub-techniques and parents', () => {
    expect(kb.technique('T1059')?.object.subtechniqueIds).toEqual(['T1059.001']);
    expect(kb.technique('T1059.001')?.object).toMatchObject({ isSubtechnique: true, parentId: 'T1059', platforms: ['Windows'] });
    expect(kb.techniques().map((t) => t.id)).toEqual(['T1036', 'T1059', 'T1059.001', 'T1547', 'T1562']);
  });

  it('follows revoked-by, chains included', () => {
    const direct = kb.technique('T1086');
    expect(direct?.object.id).toBe('T1059.001');
    expect(direct?.revokedFrom).toEqual(['T1086']);
    const chain = kb.technique('t1150');
    expect(chain?.object.id).toBe('T1547');
    expect(chain?.revokedFrom).toEqual(['T1150', 'T1500']);
    expect(kb.group('G0002')).toMatchObject({ object: { id: 'G0001' }, revokedFrom: ['G0002'] });
    expect(kb.technique('T1059')?.revokedFrom).toBeNull();
  });

  it('flags deprecated objects, resolves them, and leaves them out of lists', () => {
    const dep = kb.technique('T1099');
    expect(dep?.deprecated).toBe(true);
    expect(dep?.object.deprecated).toBe(true);
    expect(kb.techniques().some((t) => t.id === 'T1099')).toBe(false);
    expect(kb.group('Gone Group')?.deprecated).toBe(true);
    expect(kb.groups().map((g) => g.id)).toEqual(['G0001']);
  });

  it('drops relationships touching revoked or deprecated objects, and revoked or deprecated relationships', () => {
    const m = kb.mitigation('M1042')?.object;
    expect(m?.techniqueIds).toEqual(['T1059.001']);
    const g = kb.group('G0001')?.object;
    expect(g?.techniqueIds).toEqual(['T1059.001']);
    expect(g?.softwareIds).toEqual(['S0001']);
    expect(kb.technique('T1099')?.object.mitigationIds).toEqual([]);
    const uses = kb.usesRelationships().map((u) => `${u.sourceId}>${u.targetId}`).sort();
    expect(uses).toEqual(['C0001>S0002', 'C0001>T1547', 'G0001>S0001', 'G0001>T1059.001', 'S0001>T1059', 'S0002>T1036']);
  });

  it('links detection strategies, analytics and data components', () => {
    expect(kb.technique('T1059.001')?.object.detectionStrategyIds).toEqual(['DET0001']);
    expect(kb.detectionStrategy('DET0001')?.object).toMatchObject({ techniqueIds: ['T1059.001'], analyticIds: ['AN0001'] });
    expect(kb.analytic('AN0001')?.object).toMatchObject({
      dataComponentIds: ['DC0032', 'DC0064'],
      logSources: [
        { dataComponentId: 'DC0032', name: 'WinEventLog:Sysmon', channel: 'EventCode=1' },
        { dataComponentId: 'DC0064', name: 'WinEventLog:PowerShell', channel: 'EventCode=4104' },
      ],
    });
    expect(kb.dataComponent('DC0032')?.object.dataSourceName).toBe('Process');
    expect(kb.dataComponent('DC0064')?.object.dataSourceName).toBeNull();
  });

  it('links campaigns to groups and keeps first/last seen', () => {
    expect(kb.campaign('C0001')?.object).toMatchObject({ attributedTo: ['G0001'], firstSeen: '2024-01-01T00:00:00.000Z', lastSeen: '2024-03-01T00:00:00.000Z', aliases: ['Mini Op'] });
    expect(kb.group('G0001')?.object.campaignIds).toEqual(['C0001']);
  });

  it('looks up by ID, name and alias, case-insensitively', () => {
    expect(kb.group('fancy thing')?.object.id).toBe('G0001');
    expect(kb.group('ALPHA BEAR')?.object.id).toBe('G0001');
    expect(kb.softwareByRef('et-loader')?.object.id).toBe('S0001');
    expect(kb.softwareByRef('NET.EXE')?.object).toMatchObject({ id: 'S0002', type: 'tool' });
    expect(kb.technique('powershell')?.object.id).toBe('T1059.001');
    expect(kb.technique('Command and Scripting Interpreter: PowerShell')?.object.id).toBe('T1059.001');
    expect(kb.campaign('mini op')?.object.id).toBe('C0001');
    expect(kb.mitigation('m1042')?.object.name).toBe('Disable or Remove Feature or Program');
    expect(kb.technique('T9999')).toBeUndefined();
    expect(kb.technique('Alpha Bear')).toBeUndefined();
  });

  it('lookup finds any kind and says which', () => {
    expect(kb.lookup('Alpha Bear')?.object.kind).toBe('group');
    expect(kb.lookup('t1086')).toMatchObject({ object: { kind: 'technique', id: 'T1059.001' }, revokedFrom: ['T1086'] });
    expect(kb.lookup('DefenseEvasion')?.object).toMatchObject({ kind: 'tactic', id: 'TA0005' });
    expect(kb.lookup('DC0032')?.object.kind).toBe('data-component');
    expect(kb.lookup('an0001')?.object.kind).toBe('analytic');
    expect(kb.lookup('nothing at all')).toBeUndefined();
  });

  it('reports revoked objects with their chain', () => {
    expect(kb.revokedEntry('T1150')).toMatchObject({ chain: ['T1150', 'T1500'], replacementId: 'T1547', kind: 'technique' });
  });
});

describe('bundle validation', () => {
  it('names the JSON path of a bad object', () => {
    const bundle = miniBundle();
    (bundle.objects[3] as Record<string, unknown>).id = 42;
    expect(() => buildKnowledgeBaseData(bundle, { source: miniBundlePath })).toThrow(InputError);
    try {
      buildKnowledgeBaseData(bundle, { source: miniBundlePath });
    } catch (error) {
      expect((error as InputError).location).toEqual({ file: miniBundlePath, path: '$.objects[3].id' });
    }
  });

  it('rejects something that is not a bundle', () => {
    expect(() => buildKnowledgeBaseData({ type: 'indicator' }, { source: 'x.json' })).toThrow(/not a STIX bundle/);
    expect(() => buildKnowledgeBaseData([], { source: 'x.json' })).toThrow(/not a STIX bundle/);
  });

  it('takes the release from the file name when there is no collection object', () => {
    const bundle = miniBundle();
    bundle.objects = bundle.objects.filter((o) => o.type !== 'x-mitre-collection');
    const data = buildKnowledgeBaseData(bundle, { source: '/data/enterprise-attack-17.1.json.gz' });
    expect(data.meta.version).toBe('17.1');
    expect(data.meta.domain).toBe('enterprise-attack');
  });
});
