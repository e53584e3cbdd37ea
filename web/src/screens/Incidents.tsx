import { useMemo, useRef, useState, type FormEvent } from 'react';
import { api, dataOf, uploadIncidents } from '../api';
import { Badge, describeError, ErrorNote, Status, useApi, useLifecycle, when } from './common';

/** Incident statuses and severities as the sources give them (the filters offer the common ones). */
const STATUSES = ['new', 'active', 'inProgress', 'resolved', 'redirected'];
const SEVERITIES = ['informational', 'low', 'medium', 'high'];
const PAGE = 50;

function ImportFiles({ onImported }: { onImported: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const files = input.current?.files;
    if (!files?.length) return;
    setMessage(null);
    setFailure(null);
    try {
      const r = await uploadIncidents(files);
      setMessage(`Imported ${r.summary.incidents} incident(s): ${r.summary.created} new, ${r.summary.updated} updated, ${r.summary.unchanged} unchanged`);
      if (input.current) input.current.value = '';
      onImported();
    } catch (err) {
      setFailure(`Nothing was imported: ${describeError(err)}`);
    }
  };
  return (
    <form className="row import" onSubmit={(e) => void submit(e)} aria-label="Import incident files">
      <div className="field"><label htmlFor="import-files">Import files (Defender, Sentinel, OCSF, Elastic, Wazuh, TheHive, Splunk ES)</label><input id="import-files" ref={input} type="file" multiple accept=".json,.ndjson,.jsonl,application/json" required /></div>
      <button type="submit">Import</button>
      <Status message={message} error={failure} />
    </form>
  );
}

export function Incidents({ canImport = false }: { canImport?: boolean }) {
  const [filters, setFilters] = useState({ status: '', severity: '', reviewState: '', from: '', to: '', q: '' });
  const [applied, setApplied] = useState(filters);
  const [offset, setOffset] = useState(0);
  const { states } = useLifecycle();
  const query = useMemo(() => ({ ...Object.fromEntries(Object.entries(applied).filter(([, v]) => v)), limit: PAGE, offset }), [applied, offset]);
  const { data, error, reload } = useApi(() => dataOf(api.GET('/api/incidents', { params: { query } })), JSON.stringify(query));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setApplied(filters);
  };
  const set = (k: keyof typeof filters) => (e: { target: { value: string } }) => setFilters({ ...filters, [k]: e.target.value });
  const select = (k: 'status' | 'severity' | 'reviewState', label: string, options: readonly string[]) => (
    <div className="field">
      <label htmlFor={`f-${k}`}>{label}</label>
      <select id={`f-${k}`} value={filters[k]} onChange={set(k)}>
        <option value="">Any</option>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </div>
  );
  return (
    <section aria-labelledby="incidents-title">
      <div className="title-row">
        <h1 id="incidents-title">Incidents</h1>
        {canImport && <ImportFiles onImported={reload} />}
      </div>
      <form className="filters" role="search" aria-label="Filter incidents" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor="f-q">Search</label>
          <input id="f-q" type="search" placeholder="Words of the title or description, an incident id, or an observable (IP, domain, hash…)" value={filters.q} onChange={set('q')} />
        </div>
        {select('status', 'Status', STATUSES)}
        {select('severity', 'Severity', SEVERITIES)}
        {select('reviewState', 'Review', states)}
        <div className="field"><label htmlFor="f-from">From</label><input id="f-from" type="date" value={filters.from} onChange={set('from')} /></div>
        <div className="field"><label htmlFor="f-to">To</label><input id="f-to" type="date" value={filters.to} onChange={set('to')} /></div>
        <button type="submit" className="primary">Apply</button>
      </form>
      <ErrorNote error={error} />
      <p className="muted" aria-live="polite">{data ? `${data.total} incident(s)${data.total > PAGE ? `, showing ${offset + 1}–${Math.min(offset + PAGE, data.total)}` : ''}` : 'Loading…'}</p>
      <table className="grid">
        <caption className="sr-only">Incidents, newest first</caption>
        <thead>
          <tr><th scope="col">Created</th><th scope="col">Title</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Review</th><th scope="col" className="num">Alerts</th><th scope="col">Source</th></tr>
        </thead>
        <tbody>
          {data?.incidents.map((i) => (
            <tr key={i.id}>
              <td className="nowrap">{when(i.createdAt)}</td>
              <td><a href={`#/incidents/${encodeURIComponent(i.id)}`}>{i.title}</a></td>
              <td><Badge value={i.severity} /></td>
              <td>{i.status}</td>
              <td><Badge value={i.reviewState} kind="state" /></td>
              <td className="num">{i.alertCount}</td>
              <td className="muted">{i.source}:{i.sourceId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.total > PAGE && (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
          <button type="button" disabled={offset + PAGE >= data.total} onClick={() => setOffset(offset + PAGE)}>Next</button>
        </nav>
      )}
    </section>
  );
}
