import { api, dataOf } from '../api';
import { ErrorNote, useApi } from './common';

export function Attribution({ incidentId }: { incidentId: string }) {
  const { data, error } = useApi(() => dataOf(api.GET('/api/incidents/{id}/attribution', { params: { path: { id: incidentId } } })), incidentId);
  return (
    <section aria-labelledby="attr-title">
      <p><a href={`#/incidents/${encodeURIComponent(incidentId)}`}>← Back to the review</a></p>
      <h1 id="attr-title">Attribution</h1>
      <ErrorNote error={error} />
      {data && (
        <>
          <p className={`statement ${data.attributed ? 'strong' : ''}`}>{data.statement}</p>
          <p className="muted">Confidence: {data.confidence}. Based on {data.observedTechniques} observed technique(s){data.software.length ? ` and software ${data.software.map((s) => s.name).join(', ')}` : ''}.</p>
          <ol className="candidates">
            {data.candidates.map((c) => (
              <li key={c.id}>
                <h2>{c.name} <span className="muted">{c.id} · {c.type}</span></h2>
                <p>Probability {(c.probability * 100).toFixed(1)}% · confidence {c.confidence}{c.aliases.length ? ` · also known as ${c.aliases.slice(0, 5).join(', ')}` : ''}</p>
                <h3>Why</h3>
                <ul>
                  {c.sharedTechniques.map((t) => <li key={t.id}>Uses {t.id} {t.name} (weight {t.weight.toFixed(2)})</li>)}
                  {c.sharedSoftware.map((s) => <li key={s.id}>Uses software {s.name} ({s.id})</li>)}
                </ul>
                {c.huntFor.length > 0 && <p className="muted">Hunt for: {c.huntFor.map((t) => `${t.id} ${t.name}`).join('; ')}</p>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
