import { useMemo, useState, type FormEvent } from 'react';
import { api, dataOf } from '../api';
import { describeError, ErrorNote, Status, useApi, when } from './common';
import { MarkControls, OBSERVABLE_TYPES, seenIn, TagButtons, TlpBadge } from './ReviewObservables';

const PAGE = 50;

/**
 * Observables across the incidents the reader may see: search by value (normalised, any type it is
 * valid for) or part of a value, filter by type and IOC flag; each row says how many incidents it
 * was seen in and links to them. Analysts change marks in place. Partners' indicators seen here
 * are listed below (intel sightings).
 */
export function Observables({ initialValue, editable }: { initialValue?: string; editable: boolean }) {
  const [form, setForm] = useState({ search: initialValue ?? '', type: '', ioc: false });
  const [applied, setApplied] = useState(form);
  const [offset, setOffset] = useState(0);
  const query = useMemo(() => {
    const search = applied.search.trim();
    return {
      ...(search ? (applied.type ? { value: search } : { contains: search }) : {}),
      ...(applied.type ? { type: applied.type as (typeof OBSERVABLE_TYPES)[number] } : {}),
      ...(applied.ioc ? { ioc: 'true' as const } : {}),
      limit: PAGE,
      offset,
    };
  }, [applied, offset]);
  const { data, error, reload } = useApi(() => dataOf(api.GET('/api/observables', { params: { query } })), JSON.stringify(query));
  // An exact value (typed in, or followed from a review) is also looked up as a value, whatever its spelling (Bücher.example, upper-case hashes).
  const exact = applied.search.trim();
  const { data: byValue } = useApi(exact && !applied.type ? () => dataOf(api.GET('/api/observables', { params: { query: { value: exact, limit: PAGE } } })) : null, `value:${exact}:${applied.type}`);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setApplied(form);
  };
  const rows = useMemo(() => {
    const seen = new Set<string>();
    return [...(byValue?.observables ?? []), ...(data?.observables ?? [])].filter((o) => (seen.has(o.id) ? false : (seen.add(o.id), true)));
  }, [data, byValue]);
  const mark = async (id: string, body: Parameters<Parameters<typeof MarkControls>[0]['onChange']>[0], done: string) => {
    setMessage(null);
    setFailure(null);
    try {
      await dataOf(api.PATCH('/api/observables/{observableId}', { params: { path: { observableId: id } }, body }));
      setMessage(done);
      reload();
    } catch (e) {
      setFailure(describeError(e));
    }
  };
  return (
    <section aria-labelledby="observables-page-title">
      <h1 id="observables-page-title">Observables</h1>
      <form className="filters" role="search" aria-label="Search observables" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor="o-search">Value</label>
          <input id="o-search" type="search" placeholder="203.0.113.66, a domain, a hash, part of a command line…" value={form.search} onChange={(e) => setForm({ ...form, search: e.target.value })} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="o-type">Type</label>
          <select id="o-type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
            <option value="">Any</option>
            {OBSERVABLE_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </div>
        <label className="check"><input type="checkbox" checked={form.ioc} onChange={(e) => setForm({ ...form, ioc: e.target.checked })} /> IOCs only</label>
        <button type="submit" className="primary">Search</button>
      </form>
      <ErrorNote error={error} />
      <Status message={message} error={failure} />
      <p className="muted" aria-live="polite">{data ? `${data.total} observable(s)${data.total > PAGE ? `, showing ${offset + 1}–${Math.min(offset + PAGE, data.total)}` : ''}` : 'Loading…'}</p>
      {rows.length > 0 ? (
        <table className="grid">
          <caption className="sr-only">Observables across incidents</caption>
          <thead>
            <tr><th scope="col">Type</th><th scope="col">Value</th><th scope="col">IOC</th><th scope="col">TLP</th><th scope="col">Tags</th><th scope="col">Seen in</th><th scope="col">First seen</th><th scope="col">Last seen</th>{editable ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr>
          </thead>
          <tbody>
            {rows.map((o) => {
              const incidents = [...new Set(o.sightings.map((s) => s.incidentId))];
              return (
                <tr key={o.id}>
                  <td>{o.type}</td>
                  <td className="break mono">{o.value}</td>
                  <td>{o.ioc ? <span className="badge ioc">IOC</span> : null}</td>
                  <td><TlpBadge tlp={o.tlp} inherited={!o.tlpSet} /></td>
                  <td>{editable ? <TagButtons observable={o} onRemove={(tag, done) => void mark(o.id, { removeTags: [tag] }, done)} /> : o.tags.join(', ')}</td>
                  <td>
                    <details>
                      <summary>{seenIn(o.incidentCount)}</summary>
                      <ul className="plain">{incidents.map((id) => <li key={id}><a href={`#/incidents/${encodeURIComponent(id)}`}>{id}</a></li>)}</ul>
                    </details>
                  </td>
                  <td>{when(o.firstSeen)}</td>
                  <td>{when(o.lastSeen)}</td>
                  {editable ? <td><MarkControls observable={o} onChange={(body, done) => void mark(o.id, body, done)} /></td> : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : data ? <p className="muted">No observables match.</p> : null}
      {data && data.total > PAGE ? (
        <div className="row pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
          <button type="button" disabled={offset + PAGE >= data.total} onClick={() => setOffset(offset + PAGE)}>Next</button>
        </div>
      ) : null}
      <IntelSightings />
    </section>
  );
}

/** Partners' indicators (imported STIX bundles and MISP events) seen in incidents, with links to them. */
function IntelSightings() {
  const { data, error } = useApi(() => dataOf(api.GET('/api/intel/sightings')), 'intel');
  return (
    <section className="panel intel-sightings" aria-labelledby="intel-title">
      <h2 id="intel-title">Shared intelligence seen here</h2>
      <ErrorNote error={error} />
      {data && data.sightings.length === 0 ? <p className="muted">No imported indicator was seen in an incident you may see (import with <code>hindsight intel import</code>).</p> : null}
      {data && data.sightings.length > 0 ? (
        <table className="grid">
          <caption className="sr-only">Indicators seen in incidents</caption>
          <thead><tr><th scope="col">Indicator</th><th scope="col">Pattern</th><th scope="col">Producer</th><th scope="col">TLP</th><th scope="col">Incidents</th></tr></thead>
          <tbody>
            {data.sightings.map((s) => (
              <tr key={s.indicator.id}>
                <td className="wrap">{s.indicator.name ?? s.indicator.externalId}</td>
                <td className="break mono">{s.indicator.pattern.length > 160 ? `${s.indicator.pattern.slice(0, 159)}…` : s.indicator.pattern}</td>
                <td className="wrap">{s.indicator.producer ?? '—'}</td>
                <td>{s.indicator.tlp ? <TlpBadge tlp={s.indicator.tlp} /> : 'unmarked'}</td>
                <td><ul className="plain">{s.incidents.map((id) => <li key={id}><a href={`#/incidents/${encodeURIComponent(id)}`}>{id}</a></li>)}</ul></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
