import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeCoverage } from '../../../src/analysis/coverage/compute.js';
import { EMPTY_INCIDENT_AGGREGATE, type CoverageResult } from '../../../src/analysis/coverage/types.js';
import { loadBundle } from '../../../src/attack/resolve.js';
import type { KnowledgeBase } from '../../../src/attack/types.js';
import { importRules } from '../../../src/rules/index.js';
import type { RuleInventory } from '../../../src/rules/index.js';
import { attackBundle, requireOrSkip, sharedDir } from '../../helpers/env.js';

const bundle = attackBundle();
const shared = sharedDir();
const available = Boolean(bundle.path && shared);

describe.runIf(requireOrSkip('ATT&CK 18.1 and the Sigma corpus', available, bundle.reason || 'no ../shared directory'))('coverage of the SigmaHQ corpus against ATT&CK 18.1', () => {
  let kb: KnowledgeBase;
  let inventory: RuleInventory;
  let prevalence: CoverageResult;
  beforeAll(async () => {
    kb = await loadBundle(bundle.path as string);
    inventory = await importRules([join(shared as string, 'detections', 'sigma')]);
    prevalence = computeCoverage(kb, inventory.rules, EMPTY_INCIDENT_AGGREGATE, { kind: 'prevalence' });
  }, 120_000);

  it('imports every file and covers a plausible share of the matrix', () => {
    expect(inventory.stats).toMatchObject({ files: 3754, parsed: 3754, failed: 0 });
    expect(inventory.stats.mapped).toBeGreaterThan(3000);
    expect(prevalence.techniques.total).toBe(kb.techniques().filter((t) => !t.deprecated).length);
    expect(prevalence.techniques.covered).toBeGreaterThan(300);
    expect(prevalence.techniques.covered).toBeLessThan(prevalence.techniques.total);
  });

  it('maps v19 tactic tags onto Defense Evasion and v19 technique IDs back through the v18->v19 crosswalk', () => {
    const stealth = prevalence.tactics.find((t) => t.from === 'stealth');
    expect(stealth).toMatchObject({ to: 'defense-evasion', mappedFrom: 'stealth' });
    expect(stealth?.rules).toBeGreaterThan(100);
    expect(prevalence.tactics.find((t) => t.from === 'defense-impairment')?.to).toBe('defense-evasion');
    const unknown = prevalence.unknownTechniques.map((u) => u.id);
    expect(unknown).not.toContain('T1685');
    expect(prevalence.remappedTechniques).toContainEqual(expect.objectContaining({ from: 'T1685', to: 'T1562.001' }));
    for (const u of prevalence.unknownTechniques) expect(kb.technique(u.id)?.object.deprecated ?? true).toBe(true);
  });

  for (const actor of ['APT29', 'FIN7']) {
    it(`ranks a non-empty gap list for ${actor} by score`, () => {
      const result = computeCoverage(kb, inventory.rules, EMPTY_INCIDENT_AGGREGATE, { kind: 'actors', refs: [actor] });
      expect(result.threat.actors).toHaveLength(1);
      expect(result.gaps.length).toBeGreaterThan(5);
      for (let i = 1; i < result.gaps.length; i++) expect(result.gaps[i - 1]!.score).toBeGreaterThanOrEqual(result.gaps[i]!.score);
      // Every gap is a technique the actor uses (relevance > 0) that is not fully covered.
      for (const g of result.gaps) {
        expect(g.relevance).toBeGreaterThan(0);
        expect(g.coverageFactor).toBeLessThan(1);
      }
      expect(result.gaps.some((g) => g.dataComponents.length > 0 && g.detectionStrategies.length > 0)).toBe(true);
    });
  }
});
