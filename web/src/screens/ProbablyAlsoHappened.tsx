import { useState } from 'react';
import { api, dataOf } from '../api';
import { describeError, ErrorNote, useApi } from './common';

/**
 * The review's "probably also happened": techniques that usually come with those observed and that
 * no alert showed, with the observed techniques behind each, whether a rule covers it and the data
 * to check. An analyst confirms one (it joins the confirmed techniques, coverage's "missed") or
 * dismisses it.
 */
export function ProbablyAlsoHappened({ incidentId, canDecide, onChange }: { incidentId: string; canDecide: boolean; onChange?: () => void }) {
  const { data, error, reload } = useApi(() => dataOf(api.GET('/api/incidents/{id}/inference', { params: { path: { id: incidentId }, query: { top: 8 } } })), `inference:${incidentId}`);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const decide = async (decision: 'confirm' | 'dismiss', technique: string) => {
    setFailure(null);
    setBusy(technique);
    try {
      const path = decision === 'confirm' ? '/api/incidents/{id}/inference/confirm' : '/api/incidents/{id}/inference/dismiss';
      await dataOf(api.POST(path, { params: { path: { id: incidentId } }, body: { techniques: [technique], reason: null } }));
      reload();
      onChange?.();
    } catch (e) {
      setFailure(describeError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="panel probably" aria-labelledby="probably-title">
      <h2 id="probably-title">Probably also happened</h2>
      <ErrorNote error={error} />
      {failure && <p className="error" role="alert">{failure}</p>}
      {!data && !error && <p className="muted" role="status">Inferring…</p>}
      {data && (
        <>
          <p className="muted small">
            Techniques that usually come with the {data.observed.length} observed (learned from ATT&CK&apos;s groups, campaigns and software) and that no alert showed.
            {data.rulesSource ? ` Rules: ${data.rulesSource}.` : ' No rule inventory stored yet (hindsight rules import).'}
          </p>
          {data.note && <p className="note" role="note">{data.note}</p>}
          {data.techniques.length > 0 && (
            <table className="grid">
              <caption className="sr-only">Inferred techniques</caption>
              <thead>
                <tr><th scope="col">Technique</th><th scope="col" className="num">Score</th><th scope="col">Because of</th><th scope="col" className="num">Rules</th><th scope="col">Data to check</th>{canDecide && <th scope="col">Decision</th>}</tr>
              </thead>
              <tbody>
                {data.techniques.map((t) => (
                  <tr key={t.id}>
                    <td><strong>{t.id}</strong> {t.name}<div className="muted small">{t.tactics.join(', ')} · base rate {Math.round(t.baseRate * 100)}%</div></td>
                    <td className="num">{t.score.toFixed(2)}</td>
                    <td className="small">{t.because.map((b) => `${b.technique} ${Math.round(b.weight * 100)}%`).join(', ') || (t.software.length ? `software ${t.software.join(', ')}` : '—')}</td>
                    <td className="num">{data.rulesSource ? (t.rules === 0 ? <strong className="gap">none</strong> : t.rules) : 'n/a'}</td>
                    <td className="small">{t.dataSources.slice(0, 3).join('; ') || '—'}</td>
                    {canDecide && (
                      <td className="decide">
                        <button type="button" disabled={busy !== null} onClick={() => void decide('confirm', t.id)} aria-label={`Confirm ${t.id} happened`}>Confirm</button>{' '}
                        <button type="button" disabled={busy !== null} onClick={() => void decide('dismiss', t.id)} aria-label={`Dismiss ${t.id}`}>Dismiss</button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data.dismissed.length > 0 && <p className="muted small">Dismissed: {data.dismissed.map((d) => `${d.techniqueId} (${d.dismissedBy}${d.reason ? `: ${d.reason}` : ''})`).join(', ')}</p>}
        </>
      )}
    </section>
  );
}
