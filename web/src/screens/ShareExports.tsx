import { lazy, Suspense, useState } from 'react';

/** The graph (React Flow and elkjs) loads only when a review is opened, keeping the main bundle small. */
const AttackStory = lazy(() => import('./AttackStory'));

const TLP_CHOICES = [
  ['', 'everything (no limit)'],
  ['clear', 'TLP:CLEAR'],
  ['green', 'TLP:GREEN'],
  ['amber', 'TLP:AMBER'],
  ['amber+strict', 'TLP:AMBER+STRICT'],
  ['red', 'TLP:RED'],
] as const;

const FORMATS = [
  ['stix', 'STIX 2.1'],
  ['misp', 'MISP event'],
  ['attack-flow', 'Attack Flow'],
] as const;

/**
 * Sharing on the review screen: downloads of the incident as STIX 2.1, MISP and Attack Flow (with
 * nothing above the chosen TLP level), and the attack story drawn from the same data.
 */
export function ShareExports({ incidentId }: { incidentId: string }) {
  const [tlpMax, setTlpMax] = useState('');
  const base = `/api/incidents/${encodeURIComponent(incidentId)}`;
  const query = (format: string) => `${base}/export?format=${format}${tlpMax ? `&tlpMax=${encodeURIComponent(tlpMax)}` : ''}`;
  return (
    <>
      <section className="panel share-exports" aria-labelledby="share-title">
        <h2 id="share-title">Share</h2>
        <p className="muted small">The incident's techniques, observables, attribution and shareable follow-ups for a partner CERT or an ISAC. Each object keeps its TLP marking; the limit leaves out everything marked above it.</p>
        <div className="share-row">
          <label>
            Share up to{' '}
            <select value={tlpMax} onChange={(e) => setTlpMax(e.target.value)}>
              {TLP_CHOICES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </label>
          {FORMATS.map(([format, label]) => <a key={format} className="button" href={query(format)} download>{label}</a>)}
        </div>
      </section>
      <Suspense fallback={<section className="panel"><p className="muted" role="status">Loading the attack story…</p></section>}>
        <AttackStory incidentId={incidentId} />
      </Suspense>
    </>
  );
}
