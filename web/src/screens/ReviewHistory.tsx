import { useState } from 'react';
import { api, dataOf, type ActionItem, type Finding, type Schemas } from '../api';
import { ErrorNote, useApi, when } from './common';

type Change = Schemas['ReviewChange'];

/** A stored value as text: strings as they are, the rest as compact JSON; nothing as an em dash. */
function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value || '(empty)';
  return JSON.stringify(value, null, 1);
}

function Value({ value }: { value: unknown }) {
  const text = show(value);
  if (text.length <= 160) return <span className="break value">{text}</span>;
  return (
    <details>
      <summary>{text.slice(0, 120)}…</summary>
      <pre className="detail-text">{text}</pre>
    </details>
  );
}

const PAGE = 25;

/**
 * The review's change history (GET /api/incidents/:id/history): who changed which field of what,
 * when, from what to what; newest first, filtered by kind, a page at a time.
 */
export function History({ incidentId, tick, findings, actions }: { incidentId: string; tick: number; findings: Finding[]; actions: ActionItem[] }) {
  const { data, error } = useApi(() => dataOf(api.GET('/api/incidents/{id}/history', { params: { path: { id: incidentId } } })), `${incidentId}:${tick}`);
  const [kind, setKind] = useState('');
  const [shown, setShown] = useState(PAGE);
  const changes = [...(data?.changes ?? [])].reverse().filter((c) => !kind || c.entityType === kind);
  const kinds = [...new Set((data?.changes ?? []).map((c) => c.entityType))].sort();
  const nameOf = (c: Change): string => {
    if (c.entityType === 'finding') return findings.find((f) => f.id === c.entityId)?.title ?? c.entityId;
    if (c.entityType === 'action-item') return actions.find((a) => a.id === c.entityId)?.title ?? c.entityId;
    return c.entityId;
  };
  return (
    <section className="panel" aria-labelledby="history-title">
      <div className="title-row">
        <h2 id="history-title">History <span className="muted small">{data ? `${data.changes.length} change(s)` : ''}</span></h2>
        <div className="field">
          <label htmlFor="history-kind">Show</label>
          <select id="history-kind" value={kind} onChange={(e) => { setKind(e.target.value); setShown(PAGE); }}>
            <option value="">every change</option>
            {kinds.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </div>
      </div>
      <ErrorNote error={error} />
      {data && changes.length === 0 && <p className="muted">No change recorded yet.</p>}
      {changes.length > 0 && (
        <table className="grid history">
          <caption className="sr-only">Changes to the review, newest first</caption>
          <thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
          <tbody>
            {changes.slice(0, shown).map((c) => (
              <tr key={c.id}>
                <td className="nowrap">{when(c.at)}</td>
                <td>{c.actor}</td>
                <td><span className="muted small">{c.entityType}</span> <span className="break">{nameOf(c)}</span> <span className="muted small">v{c.version}</span></td>
                <td>{c.field === '*' ? (c.before === null ? 'created' : c.after === null ? 'deleted' : 'all') : c.field}</td>
                <td className="small"><Value value={c.before} /></td>
                <td className="small"><Value value={c.after} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {changes.length > shown && <button type="button" onClick={() => setShown(shown + PAGE)}>Show {Math.min(PAGE, changes.length - shown)} more of {changes.length - shown}</button>}
    </section>
  );
}
