import { useEffect, useRef, useState } from 'react';
import { api, dataOf, type Schemas } from '../api';
import { useApi } from './common';

type Details = Schemas['AttackObject'];

/** The description without citations and Markdown links, cut at a sentence near 900 characters. */
function shorten(text: string): string {
  const plain = text.replace(/\(Citation:[^)]*\)/g, '').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/<\/?code>/g, '');
  if (plain.length <= 900) return plain;
  const cut = plain.lastIndexOf('. ', 900);
  return `${plain.slice(0, cut > 300 ? cut + 1 : 900)} …`;
}

/** Heat colour for a score in 0..1 (white to deep red), and a readable text colour on it. */
function heat(t: number, hue: number): { background: string; color: string } {
  const l = 96 - Math.round(t * 58);
  return { background: `hsl(${hue} 70% ${l}%)`, color: l < 62 ? '#fff' : '#1b1f24' };
}

/**
 * The ATT&CK matrix as a grid of tactic columns. `scores` colours techniques (a technique's cell
 * also shows the highest score among its sub-techniques); only scored techniques are listed when
 * `onlyScored`. Clicking a technique opens its details.
 */
export function MatrixGrid({ scores, label, onlyScored = false, hue = 8, comments }: { scores: Map<string, number>; label: string; onlyScored?: boolean; hue?: number; comments?: Map<string, string> }) {
  const { data } = useApi(() => dataOf(api.GET('/api/attack/matrix')), 'matrix');
  const [selected, setSelected] = useState<string | null>(null);
  const [details, setDetails] = useState<Details | null>(null);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!selected) return;
    let live = true;
    dataOf(api.GET('/api/attack/{ref}', { params: { path: { ref: selected } } })).then((d) => live && setDetails(d), () => undefined);
    return () => {
      live = false;
    };
  }, [selected]);
  useEffect(() => {
    if (details) panel.current?.focus();
  }, [details]);
  if (!data) return <p className="muted">Loading the matrix…</p>;
  const max = Math.max(1, ...scores.values());
  const scoreOf = (id: string, subs: { id: string }[]) => Math.max(scores.get(id) ?? 0, ...subs.map((s) => scores.get(s.id) ?? 0));
  return (
    <div className="matrix-wrap">
      <div className="matrix" role="region" aria-label={label} tabIndex={0}>
        {data.tactics.map((tactic) => {
          const techniques = tactic.techniques.filter((t) => !onlyScored || scoreOf(t.id, t.subtechniques) > 0);
          if (onlyScored && techniques.length === 0) return null;
          return (
            <div className="tactic" key={tactic.id}>
              <h3 title={tactic.id}>{tactic.name}<span className="count">{techniques.length}</span></h3>
              <ul>
                {techniques.map((t) => {
                  const s = scoreOf(t.id, t.subtechniques);
                  const style = s > 0 ? heat(s / max, hue) : undefined;
                  return (
                    <li key={t.id}>
                      <button type="button" className={`tech ${s > 0 ? 'scored' : ''} ${selected === t.id ? 'selected' : ''}`} style={style} onClick={() => setSelected(t.id)} aria-label={`${t.id} ${t.name}${s > 0 ? `, score ${s}` : ''}`}>
                        <span className="tid">{t.id}</span> {t.name}
                      </button>
                      {onlyScored && t.subtechniques.filter((x) => (scores.get(x.id) ?? 0) > 0).map((x) => (
                        <button type="button" key={x.id} className="tech sub scored" style={heat((scores.get(x.id) ?? 0) / max, hue)} onClick={() => setSelected(x.id)} aria-label={`${x.id} ${x.name}, score ${scores.get(x.id)}`}>
                          <span className="tid">{x.id}</span> {x.name}
                        </button>
                      ))}
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
      </div>
      {details && (
        <aside className="details" aria-labelledby="tech-title" tabIndex={-1} ref={panel}>
          <div className="details-head">
            <h2 id="tech-title">{details.id} {details.name}</h2>
            <button type="button" onClick={() => { setDetails(null); setSelected(null); }} aria-label="Close technique details">×</button>
          </div>
          <p className="muted">{details.tactics?.map((t) => t.name).join(', ')}{details.platforms?.length ? ` · ${details.platforms.join(', ')}` : ''}{scores.get(details.id) ? ` · score ${scores.get(details.id)}` : ''}</p>
          {comments?.get(details.id) && <p className="layer-comment">{comments.get(details.id)}</p>}
          <p className="desc">{shorten(details.description)}</p>
          {details.mitigations && details.mitigations.length > 0 && (<><h3>Mitigations</h3><ul>{details.mitigations.map((m) => <li key={m.id}>{m.id} {m.name}</li>)}</ul></>)}
          {details.detectionStrategies && details.detectionStrategies.length > 0 && (<><h3>Detection strategies</h3><ul>{details.detectionStrategies.slice(0, 6).map((m) => <li key={m.id}>{m.id} {m.name}</li>)}</ul></>)}
          {details.url && <p><a href={details.url} target="_blank" rel="noreferrer noopener">Open on attack.mitre.org</a></p>}
        </aside>
      )}
    </div>
  );
}
