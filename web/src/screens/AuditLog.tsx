import { useState, type FormEvent } from 'react';
import { api, dataOf } from '../api';
import { ErrorNote, useApi, when } from './common';

interface Filters {
  actor: string;
  action: string;
  incident: string;
  since: string;
  until: string;
}

const EMPTY: Filters = { actor: '', action: '', incident: '', since: '', until: '' };
const PAGE = 50;

/** What changed, as readable JSON (React escapes it; nothing here is HTML). */
function Change({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <div className="audit-change">
      <h3>{label}</h3>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </div>
  );
}

/**
 * The audit trail for admins (every entry; those about incidents restricted to others without
 * their content) and reviewers (entries about incidents they may see): filters by actor, action,
 * incident and time, paging back through older entries. Entries the reader may not see are
 * counted, never shown as gaps.
 */
export function AuditLog() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  // The `before` cursor of every page shown so far: the last is the current page.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const actions = useApi(() => dataOf(api.GET('/api/audit/actions')), 'audit-actions');
  const query = {
    limit: PAGE,
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.incident ? { incident: filters.incident } : {}),
    ...(filters.since ? { since: filters.since } : {}),
    ...(filters.until ? { until: filters.until } : {}),
    ...(before !== undefined ? { before } : {}),
  };
  const page = useApi(() => dataOf(api.GET('/api/audit', { params: { query } })), JSON.stringify(query));

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...draft, actor: draft.actor.trim(), incident: draft.incident.trim() });
    setCursors([undefined]);
  };
  const clear = () => {
    setDraft(EMPTY);
    setFilters(EMPTY);
    setCursors([undefined]);
  };
  const data = page.data;

  return (
    <section aria-labelledby="audit-title" className="audit-log">
      <h1 id="audit-title">Audit log</h1>
      <form className="filters" aria-label="Filter the audit log" onSubmit={apply}>
        <div className="field"><label htmlFor="au-actor">Actor</label><input id="au-actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} placeholder="user name" maxLength={100} /></div>
        <div className="field"><label htmlFor="au-action">Action</label>
          <select id="au-action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">Any</option>
            {actions.data?.actions.map((a) => <option key={a}>{a}</option>)}
          </select>
        </div>
        <div className="field"><label htmlFor="au-incident">Incident</label><input id="au-incident" value={draft.incident} onChange={(e) => setDraft({ ...draft, incident: e.target.value })} placeholder="inc_… or source id" maxLength={200} /></div>
        <div className="field"><label htmlFor="au-since">From</label><input id="au-since" type="date" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} /></div>
        <div className="field"><label htmlFor="au-until">To (inclusive)</label><input id="au-until" type="date" value={draft.until} onChange={(e) => setDraft({ ...draft, until: e.target.value })} /></div>
        <div className="field actions"><button type="submit" className="primary">Apply</button><button type="button" onClick={clear}>Clear</button></div>
      </form>
      <ErrorNote error={page.error ?? actions.error} />
      <p className="muted" aria-live="polite">
        {data
          ? [
              `${data.entries.length} entr${data.entries.length === 1 ? 'y' : 'ies'}${cursors.length > 1 ? ` (page ${cursors.length})` : ''}`,
              ...(data.hidden ? [`${data.hidden} entr${data.hidden === 1 ? 'y' : 'ies'} hidden (about incidents or accounts you may not see)`] : []),
              ...(data.redacted ? [`${data.redacted} shown without content (incidents restricted to others)`] : []),
            ].join(' · ')
          : 'Loading…'}
      </p>
      <table className="grid">
        <caption className="sr-only">Audit entries, newest first</caption>
        <thead><tr><th scope="col">#</th><th scope="col">When (UTC)</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Entity</th><th scope="col">Change</th></tr></thead>
        <tbody>
          {data?.entries.map((e) => (
            <tr key={e.seq} className={e.redacted ? 'redacted' : undefined}>
              <td className="num">{e.seq}</td>
              <td className="nowrap">{when(e.at)}</td>
              <td>{e.actor}</td>
              <td><code>{e.action}</code></td>
              <td>{e.entityType}: {e.entityId}</td>
              <td>
                {e.redacted ? (
                  <span className="muted">content withheld</span>
                ) : e.before === null && e.after === null ? (
                  <span className="muted">—</span>
                ) : (
                  <details>
                    <summary>Before / after</summary>
                    <Change label="Before" value={e.before} />
                    <Change label="After" value={e.after} />
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="Pages of the audit log">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button type="button" disabled={!data || data.nextBefore === null} onClick={() => data?.nextBefore != null && setCursors([...cursors, data.nextBefore])}>Older</button>
      </nav>
    </section>
  );
}
