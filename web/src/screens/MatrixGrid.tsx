import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, dataOf, type Schemas } from '../api';
import { useApi, when } from './common';

type Details = Schemas['AttackObject'];

/** The description without citations and Markdown links, cut at a sentence near 900 characters. */
function shorten(text: string): string {
  const plain = text.replace(/\(Citation:[^)]*\)/g, '').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/<\/?code>/g, '');
  if (plain.length <= 900) return plain;
  const cut = plain.lastIndexOf('. ', 900);
  return `${plain.slice(0, cut > 300 ? cut + 1 : 900)} …`;
}

/** sRGB channels (0..1) of an HSL colour. */
function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [f(0), f(8), f(4)];
}

/** WCAG relative luminance of sRGB channels. */
function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * Heat colour for a score in 0..1 (pale to deep), and the text colour on it with the higher WCAG
 * contrast: black or white. One of the two always reaches at least 4.58:1 on any background, so
 * every cell passes AA for normal text on every layer whatever its hue.
 */
export function heat(t: number, hue: number): { background: string; color: string } {
  const l = 96 - Math.round(t * 58);
  const bg = luminance(hslToRgb(hue, 0.7, l / 100));
  const onBlack = (bg + 0.05) / 0.05;
  const onWhite = 1.05 / (bg + 0.05);
  return { background: `hsl(${hue} 70% ${l}%)`, color: onBlack >= onWhite ? '#000' : '#fff' };
}

/** The incidents in which alerts showed the technique, each a link to its review. */
function TechniqueIncidents({ techniqueId }: { techniqueId: string }) {
  const { data } = useApi(() => dataOf(api.GET('/api/attack/{ref}/incidents', { params: { path: { ref: techniqueId }, query: { limit: 20 } } })), techniqueId);
  if (!data) return null;
  return (
    <>
      <h3>Seen in {data.total} incident{data.total === 1 ? '' : 's'}</h3>
      {data.total === 0 ? <p className="muted small">No alert of yours carries this technique.</p> : (
        <ul className="technique-incidents">
          {data.incidents.map((i) => <li key={i.id}><a href={`#/incidents/${encodeURIComponent(i.id)}`}>{i.title}</a> <span className="muted small">{when(i.createdAt)} · {i.alerts} alert(s)</span></li>)}
          {data.total > data.incidents.length && <li className="muted small">and {data.total - data.incidents.length} more</li>}
        </ul>
      )}
    </>
  );
}

/**
 * The ATT&CK matrix as a grid of tactic columns. `scores` colours techniques (a technique's cell
 * also shows the highest score among its sub-techniques); only scored techniques are listed when
 * `onlyScored`. Clicking a technique opens its details.
 */
export function MatrixGrid({ scores, label, onlyScored = false, hue = 8, comments, initial }: { scores: Map<string, number>; label: string; onlyScored?: boolean; hue?: number; comments?: Map<string, string>; initial?: string }) {
  const { data } = useApi(() => dataOf(api.GET('/api/attack/matrix')), 'matrix');
  const [selected, setSelected] = useState<string | null>(initial ?? null);
  // Roving tabindex: the grid is one tab stop; arrow keys move between cells.
  const [cursor, setCursor] = useState<[number, number]>([0, 0]);
  const grid = useRef<HTMLDivElement>(null);
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
  // The cells column by column, as the keyboard walks them: techniques, and scored sub-techniques under their parent.
  const columns = data.tactics
    .map((tactic) => {
      const techniques = tactic.techniques.filter((t) => !onlyScored || scoreOf(t.id, t.subtechniques) > 0);
      const cells = techniques.flatMap((t) => [
        { id: t.id, name: t.name, score: scoreOf(t.id, t.subtechniques), sub: false, parent: t.id },
        ...(onlyScored ? t.subtechniques.filter((x) => (scores.get(x.id) ?? 0) > 0).map((x) => ({ id: x.id, name: x.name, score: scores.get(x.id) ?? 0, sub: true, parent: t.id })) : []),
      ]);
      return { tactic, count: techniques.length, cells };
    })
    .filter((c) => !onlyScored || c.cells.length > 0);
  const [col, row] = [Math.min(cursor[0], columns.length - 1), cursor[1]];
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const height = (c: number) => columns[c]?.cells.length ?? 0;
    let [c, r] = [col, Math.min(row, height(col) - 1)];
    if (e.key === 'ArrowRight') c = Math.min(columns.length - 1, c + 1);
    else if (e.key === 'ArrowLeft') c = Math.max(0, c - 1);
    else if (e.key === 'ArrowDown') r += 1;
    else if (e.key === 'ArrowUp') r -= 1;
    else if (e.key === 'Home') [c, r] = e.ctrlKey ? [0, 0] : [c, 0];
    else if (e.key === 'End') [c, r] = e.ctrlKey ? [columns.length - 1, height(columns.length - 1) - 1] : [c, height(c) - 1];
    else if (e.key === 'PageDown') r += 10;
    else if (e.key === 'PageUp') r -= 10;
    else return;
    e.preventDefault();
    r = Math.max(0, Math.min(height(c) - 1, r));
    setCursor([c, r]);
    grid.current?.querySelector<HTMLButtonElement>(`[data-cell="${c}:${r}"]`)?.focus();
  };
  return (
    <div className="matrix-wrap">
      <p className="sr-only" id={`${label.replace(/\W+/g, '-')}-help`}>Arrow keys move between techniques; Home and End go to the top or bottom of a tactic; Enter opens the technique.</p>
      <div className="matrix" role="region" aria-label={label} aria-describedby={`${label.replace(/\W+/g, '-')}-help`} ref={grid} onKeyDown={onKey}>
        {columns.map(({ tactic, count, cells }, c) => (
          <div className="tactic" key={tactic.id} role="group" aria-labelledby={`tac-${tactic.id}-${label.length}`}>
            <h3 title={tactic.id} id={`tac-${tactic.id}-${label.length}`}><span className="tactic-name">{tactic.name}</span><span className="count">{count}<span className="sr-only"> techniques</span></span></h3>
            <ul>
              {cells.map((cell, r) => {
                const style = cell.score > 0 ? heat(cell.score / max, hue) : undefined;
                const focusable = c === col && r === Math.min(row, cells.length - 1);
                return (
                  <li key={cell.id}>
                    <button
                      type="button"
                      data-cell={`${c}:${r}`}
                      tabIndex={focusable ? 0 : -1}
                      className={`tech${cell.sub ? ' sub' : ''}${cell.score > 0 ? ' scored' : ''}${selected === cell.id ? ' selected' : ''}`}
                      style={style}
                      onClick={() => { setCursor([c, r]); setSelected(cell.id); }}
                      onFocus={() => setCursor([c, r])}
                      aria-label={`${cell.id} ${cell.name}${cell.score > 0 ? `, score ${cell.score}` : ''}`}
                      aria-pressed={selected === cell.id}
                    >
                      <span className="tid">{cell.id}</span> {cell.name}
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
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
          <TechniqueIncidents techniqueId={details.id} />
          {details.url && <p><a href={details.url} target="_blank" rel="noreferrer noopener">Open on attack.mitre.org</a></p>}
        </aside>
      )}
    </div>
  );
}
