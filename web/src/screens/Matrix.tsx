import { useMemo, useState } from 'react';
import { api, dataOf, type NavigatorLayer } from '../api';
import { ErrorNote, useApi } from './common';
import { MatrixGrid } from './MatrixGrid';

function download(name: string, value: unknown) {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

type LayerKey = 'observed' | 'coverage' | 'relevance' | 'gaps' | 'inferred';
const LAYERS: { key: LayerKey; label: string; hue: number; explain: string }[] = [
  { key: 'observed', label: 'Observed', hue: 8, explain: 'Techniques observed across all incidents; darker = more alerts.' },
  { key: 'coverage', label: 'Coverage', hue: 130, explain: 'Detection rules per technique; darker = more rules.' },
  { key: 'relevance', label: 'Threat relevance', hue: 28, explain: 'How relevant each technique is, from the prevalence in your incidents; darker = more relevant.' },
  { key: 'gaps', label: 'Gaps', hue: 355, explain: 'Relevance not matched by coverage, plus detections missed in incidents; darker = larger gap.' },
  { key: 'inferred', label: 'Probably also happened', hue: 270, explain: 'Techniques inferred from what the recent incidents showed, that no alert showed; darker = suggested for more incidents.' },
];

/** The ATT&CK matrix with its layers; `technique` (from the route) opens one technique's details. */
export function Matrix({ technique }: { technique?: string }) {
  const observed = useApi(() => dataOf(api.GET('/api/layers/observed')), 'observed');
  const coverage = useApi(() => dataOf(api.GET('/api/layers/coverage')), 'coverage');
  const [active, setActive] = useState<LayerKey>('observed');
  const inferred = useApi(active === 'inferred' ? () => dataOf(api.GET('/api/layers/inferred')) : null, active === 'inferred' ? 'inferred' : 'inferred-idle');
  const layer: NavigatorLayer | undefined = active === 'observed' ? observed.data : active === 'inferred' ? inferred.data : coverage.data?.layers[{ coverage: 0, relevance: 1, gaps: 2 }[active]];
  const { scores, comments } = useMemo(() => {
    const m = new Map<string, number>();
    const c = new Map<string, string>();
    for (const t of layer?.techniques ?? []) {
      if (t.score) m.set(t.techniqueID, Math.max(m.get(t.techniqueID) ?? 0, t.score));
      if (t.comment) c.set(t.techniqueID, t.comment);
    }
    return { scores: m, comments: c };
  }, [layer]);
  const spec = LAYERS.find((l) => l.key === active) ?? LAYERS[0];
  const noRules = coverage.data && !coverage.data.available;
  return (
    <section aria-labelledby="matrix-title">
      <div className="title-row">
        <h1 id="matrix-title">ATT&CK matrix</h1>
        <div className="actions">
          <button type="button" disabled={!layer} onClick={() => layer && download(`hindsight-${active}-layer.json`, layer)}>Export Navigator layer</button>
        </div>
      </div>
      <div className="layer-tabs" role="group" aria-label="Layer">
        {LAYERS.map((l) => (
          <button key={l.key} type="button" aria-pressed={active === l.key} className={active === l.key ? 'on' : undefined} disabled={l.key !== 'observed' && l.key !== 'inferred' && !coverage.data?.available} title={l.key !== 'observed' && l.key !== 'inferred' && noRules ? coverage.data?.reason : undefined} onClick={() => setActive(l.key)}>
            {l.label}
          </button>
        ))}
      </div>
      <ErrorNote error={observed.error ?? coverage.error ?? inferred.error} />
      {noRules && <p className="muted small">Coverage, relevance and gap layers need detection rules: start the server with <code>hindsight serve --rules PATH</code>.</p>}
      <p className="muted">{spec?.explain} {scores.size} technique(s) scored{active !== 'observed' && active !== 'inferred' && coverage.data ? ` from ${coverage.data.rules} rules` : ''}. Select a technique for its details.</p>
      <h2 className="sr-only">Techniques by tactic</h2>
      <MatrixGrid scores={scores} comments={comments} hue={spec?.hue ?? 8} label={`ATT&CK matrix, ${spec?.label ?? ''} heatmap`} initial={technique} />
    </section>
  );
}
