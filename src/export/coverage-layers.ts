/**
 * Three ATT&CK Navigator 4.5 layers of one coverage run, written together as a JSON array:
 * coverage (score = rules per technique), threat (score = relevance x 100) and gaps (score =
 * gap score x 100, on the parent techniques the gaps are rolled up to).
 */
import type { CoverageResult } from '../analysis/coverage/types.js';
import type { KnowledgeBase } from '../attack/types.js';
import { buildNavigatorLayer, type NavigatorLayer } from './navigator.js';

export function buildCoverageLayers(kb: KnowledgeBase, result: CoverageResult, options: { rulesLabel: string }): NavigatorLayer[] {
  const covered = result.perTechnique.filter((t) => t.rules.count > 0);
  const relevant = result.perTechnique.filter((t) => t.relevance > 0);
  const meta = [
    { name: 'generator', value: 'Hindsight coverage' },
    { name: 'rules', value: options.rulesLabel },
    { name: 'threat', value: result.threat.name },
  ];
  const coverage = buildNavigatorLayer(kb, {
    name: 'Detection coverage',
    description: `Rules per technique (${options.rulesLabel}); ${result.techniques.covered} of ${result.techniques.total} techniques covered.`,
    entries: covered.map((t) => ({
      techniqueId: t.id,
      score: t.rules.count,
      comment: `${t.rules.count} rule(s); levels ${Object.entries(t.rules.byLevel).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    })),
    colors: ['#e5f5e0ff', '#74c476ff', '#006d2cff'],
    legend: [
      { label: 'few rules', color: '#e5f5e0ff' },
      { label: 'many rules', color: '#006d2cff' },
    ],
    metadata: meta,
  });
  const threat = buildNavigatorLayer(kb, {
    name: 'Threat relevance',
    description: `Relevance (0-100) from ${result.threat.name}.`,
    entries: relevant.map((t) => ({ techniqueId: t.id, score: Math.round(t.relevance * 100), comment: `relevance ${t.relevance}` })),
    colors: ['#fff5ebff', '#fd8d3cff', '#a63603ff'],
    legend: [
      { label: 'less relevant', color: '#fff5ebff' },
      { label: 'most relevant', color: '#a63603ff' },
    ],
    metadata: meta,
  });
  const gaps = buildNavigatorLayer(kb, {
    name: 'Detection gaps',
    description: 'Gap score x 100: relevance x (1 - coverage) + missed-detection weight; sub-techniques rolled up to their parent (docs/coverage.md).',
    entries: result.gaps.map((g) => ({
      techniqueId: g.id,
      score: Math.round(g.score * 100),
      comment: `relevance ${g.relevance}, coverage ${g.coverageFactor}, ${g.rules} rule(s), missed in ${g.missed} of ${g.observed} incident(s)`,
      metadata: g.dataComponents.slice(0, 8).map((d) => ({ name: 'collect', value: `${d.id} ${d.name}` })),
    })),
    colors: ['#fee5d9ff', '#fb6a4aff', '#a50f15ff'],
    legend: [
      { label: 'small gap', color: '#fee5d9ff' },
      { label: 'large gap', color: '#a50f15ff' },
    ],
    metadata: meta,
  });
  return [coverage, threat, gaps];
}
