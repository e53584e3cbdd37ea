import { describe, expect, it } from 'vitest';
import { analyseSkills, parseTeamMapping } from '../../../src/analysis/skills/index.js';
import { InputError } from '../../../src/model/errors.js';
import { refreshLearningFacts, skillAggregates } from '../../../src/store/learning/index.js';
import { openStore } from '../../../src/store/index.js';
import { smallHistory } from '../../fixtures/learning/history.js';

describe('skills', () => {
  it('names the planted weak spot (T1566 family) on 2,000 generated alerts, and nothing else', async () => {
    const store = await openStore({ db: ':memory:' });
    try {
      await store.importIncidents(smallHistory(100, 20));
      await refreshLearningFacts(store.db);
      const agg = await skillAggregates(store.db, { byAnalyst: true });
      const report = analyseSkills(agg, undefined, { teams: parseTeamMapping('teams:\n  day: ["analyst0@*", "analyst1@*"]\n  night: ["analyst2@*", "analyst3@*"]\n', 'teams.yaml') });
      const teamWide = report.weakSpots.filter((w) => w.scope === 'team');
      expect(teamWide.map((w) => w.id).sort()).toEqual(['T1566', 'T1566.001', 'T1566.002']);
      const family = teamWide.find((w) => w.id === 'T1566');
      expect(family?.level).toBe('family');
      expect(family?.flags).toEqual(expect.arrayContaining(['slow-triage', 'misclassified']));
      expect(family?.comparisons.triage.ratio).toBeGreaterThan(2);
      expect(report.scopes.map((s) => s.scope).sort()).toEqual(['team', 'team:day', 'team:night']);
      expect(report.recommendations.find((r) => r.id === 'T1566')?.url).toBe('https://attack.mitre.org/techniques/T1566/');
      // No per-analyst scopes unless asked for.
      expect(report.scopes.some((s) => s.scope.startsWith('analyst:'))).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('flags nothing when every technique is handled alike', () => {
    const rows = ['T1059.001', 'T1105'].flatMap((techniqueId) =>
      [10, 20, 30].map((bin) => ({ techniqueId, analyst: null, bin, alerts: 50, misclassified: 2, benignThenTruePositive: 1, reopened: 1, escalated: 0 })),
    );
    const report = analyseSkills({ range: { from: null, to: null }, byAnalyst: false, triage: rows, resolve: rows.map((r) => ({ techniqueId: r.techniqueId, analyst: null, bin: r.bin, alerts: r.alerts })), findings: [] });
    expect(report.weakSpots).toEqual([]);
    expect(report.scopes[0]?.entries).toHaveLength(2);
  });

  it('refuses a malformed team mapping with the path at fault', () => {
    expect(() => parseTeamMapping('teams:\n  tier1: analyst@x\n', 'teams.yaml')).toThrow(/teams\.yaml: teams\.tier1: expected a list/);
    expect(() => parseTeamMapping('teams:\n  tier1: [1]\n', 'teams.yaml')).toThrow(InputError);
    expect(() => parseTeamMapping('teams: [\n', 'teams.yaml')).toThrow(/teams\.yaml:\d+: not valid YAML/);
  });
});
