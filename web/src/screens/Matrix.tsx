import { useMemo } from 'react';
import type { NavigatorLayer } from '../api';
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

export function Matrix() {
  const { data, error } = useApi<NavigatorLayer>('/api/layers/observed');
  const scores = useMemo(() => {
    const m = new Map<string, number>();
    for (const t of data?.techniques ?? []) if (t.score) m.set(t.techniqueID, Math.max(m.get(t.techniqueID) ?? 0, t.score));
    return m;
  }, [data]);
  return (
    <section aria-labelledby="matrix-title">
      <div className="title-row">
        <h1 id="matrix-title">ATT&CK matrix</h1>
        <div className="actions">
          <button type="button" disabled={!data} onClick={() => data && download('hindsight-observed-layer.json', data)}>Export Navigator layer</button>
        </div>
      </div>
      <div className="layer-tabs" role="group" aria-label="Layer">
        <button type="button" aria-pressed="true" className="on">Observed</button>
        <button type="button" aria-pressed="false" disabled title="Coverage and gap layers need detection rules: run hindsight coverage --rules PATH --layer FILE on the command line">Coverage</button>
        <button type="button" aria-pressed="false" disabled title="Coverage and gap layers need detection rules: run hindsight coverage --rules PATH --layer FILE on the command line">Gaps</button>
      </div>
      <ErrorNote error={error} />
      <p className="muted">Techniques observed across all incidents; colour = number of alerts (darker: more). {scores.size} technique(s) observed. Select a technique for its details.</p>
      <MatrixGrid scores={scores} label="ATT&CK matrix, observed techniques heatmap" />
    </section>
  );
}
