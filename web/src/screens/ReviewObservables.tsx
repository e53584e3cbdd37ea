import { useState, type FormEvent } from 'react';
import { api, dataOf, type Answer, type paths } from '../api';
import { describeError, ErrorNote, Status, useApi, when } from './common';

type IncidentObservables = Answer<'get', '/api/incidents/{id}/observables'>;
export type ObservableItem = IncidentObservables['observables'][number];

export const OBSERVABLE_TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1', 'sha256', 'file-name', 'email', 'user-account', 'host', 'process-command-line', 'registry-key', 'cloud-resource'] as const;
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
/** Rows the review's panel shows before "Show all". */
const PANEL_ROWS = 15;

/** A TLP marking as a badge in its colour (TLP 2.0 colours, with text a screen reader reads). */
export function TlpBadge({ tlp, inherited }: { tlp: string; inherited?: boolean }) {
  return (
    <span className={`tlp tlp-${tlp.toLowerCase().replace('+', '-')}`} title={inherited ? 'inherited from the incident' : 'set on the observable'}>
      TLP:{tlp}
      {inherited ? <span className="sr-only"> (inherited)</span> : null}
    </span>
  );
}

export function seenIn(n: number): string {
  return `seen in ${n} incident${n === 1 ? '' : 's'}`;
}

/**
 * The review's observables panel: the values the incident's evidence carries (and those added by
 * hand), each with its marks and where else it was seen; analysts add observables, mark IOCs, set
 * TLP and tags, and set the incident's own TLP (the default of its observables).
 */
export function ReviewObservables({ incidentId, editable }: { incidentId: string; editable: boolean }) {
  const path = { id: incidentId };
  const { data, error, reload } = useApi(() => dataOf(api.GET('/api/incidents/{id}/observables', { params: { path } })), incidentId);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [all, setAll] = useState(false);
  const run = async (what: () => Promise<unknown>, done: string) => {
    setMessage(null);
    setFailure(null);
    try {
      await what();
      setMessage(done);
      reload();
    } catch (e) {
      setFailure(describeError(e));
    }
  };
  const matching = (data?.observables ?? []).filter((o) => !filter || o.type === filter);
  // IOCs and values seen elsewhere first (what a reviewer looks for); the rest in the order seen.
  const ordered = [...matching].sort((a, b) => Number(b.ioc) - Number(a.ioc) || Number(b.incidentCount > 1) - Number(a.incidentCount > 1));
  const shown = all ? ordered : ordered.slice(0, PANEL_ROWS);
  return (
    <section className="panel observables" aria-labelledby="observables-title">
      <h2 id="observables-title">
        Observables {data ? <span className="muted small">{data.observables.length} value(s), incident <TlpBadge tlp={data.tlp} /></span> : null}
      </h2>
      <ErrorNote error={error} />
      <div className="row">
        <div className="field">
          <label htmlFor="obs-filter">Type</label>
          <select id="obs-filter" value={filter} onChange={(e) => setFilter(e.target.value)}>
            <option value="">All types</option>
            {OBSERVABLE_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </div>
        {editable && data ? (
          <div className="field">
            <label htmlFor="incident-tlp">Incident TLP</label>
            <select id="incident-tlp" value={data.tlp} onChange={(e) => void run(() => dataOf(api.PUT('/api/incidents/{id}/tlp', { params: { path }, body: { tlp: e.target.value as (typeof TLP_LEVELS)[number] } })), `Incident marked TLP:${e.target.value}`)}>
              {TLP_LEVELS.map((t) => <option key={t} value={t}>TLP:{t}</option>)}
            </select>
          </div>
        ) : null}
      </div>
      <Status message={message} error={failure} />
      {data && shown.length === 0 ? <p className="muted">No observables{filter ? ` of type ${filter}` : ''}.</p> : null}
      {shown.length > 0 ? (
        <table className="grid">
          <caption className="sr-only">Observables of this incident</caption>
          <thead>
            <tr><th scope="col">Type</th><th scope="col">Value</th><th scope="col">IOC</th><th scope="col">TLP</th><th scope="col">Tags</th><th scope="col">Seen</th><th scope="col">Last seen</th>{editable ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr>
          </thead>
          <tbody>
            {shown.map((o) => (
              <tr key={o.id}>
                <td>{o.type}</td>
                <td className="break mono">{o.value}</td>
                <td>{o.ioc ? <span className="badge ioc">IOC</span> : null}</td>
                <td><TlpBadge tlp={o.tlp} inherited={!o.tlpSet} /></td>
                <td>{editable ? <TagButtons observable={o} onRemove={(tag, done) => void run(() => dataOf(api.PATCH('/api/observables/{observableId}', { params: { path: { observableId: o.id } }, body: { removeTags: [tag] } })), done)} /> : o.tags.join(', ')}</td>
                <td>{o.incidentCount > 1 ? <a href={`#/observables/${encodeURIComponent(o.value)}`}>{seenIn(o.incidentCount)}</a> : seenIn(o.incidentCount)}</td>
                <td>{when(o.lastSeen)}</td>
                {editable ? (
                  <td>
                    <MarkControls observable={o} onChange={(body, done) => void run(() => dataOf(api.PATCH('/api/observables/{observableId}', { params: { path: { observableId: o.id } }, body })), done)} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {matching.length > PANEL_ROWS ? (
        <button type="button" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? `Show the first ${PANEL_ROWS}` : `Show all ${matching.length}`}
        </button>
      ) : null}
      {editable ? <AddObservable incidentId={incidentId} onAdded={(value) => { setMessage(`Added ${value}`); setFailure(null); reload(); }} onFailed={setFailure} /> : null}
    </section>
  );
}

type MarkBody = paths['/api/observables/{observableId}']['patch']['requestBody']['content']['application/json'];

/** The IOC flag, TLP and tags of one observable, changed in place. */
export function MarkControls({ observable: o, onChange }: { observable: ObservableItem; onChange: (body: MarkBody, done: string) => void }) {
  const [tag, setTag] = useState('');
  const label = labelOf(o);
  return (
    <div className="mark-controls">
      <button type="button" onClick={() => onChange({ ioc: !o.ioc }, o.ioc ? `${label}: IOC mark cleared` : `${label}: marked as IOC`)} aria-pressed={o.ioc} aria-label={`IOC: ${label}`}>
        IOC
      </button>
      <select aria-label={`TLP of ${label}`} value={o.tlpSet ? o.tlp : ''} onChange={(e) => onChange({ tlp: e.target.value === '' ? null : (e.target.value as (typeof TLP_LEVELS)[number]) }, `${label}: TLP ${e.target.value || 'inherited'}`)}>
        <option value="">inherit</option>
        {TLP_LEVELS.map((t) => <option key={t} value={t}>{t}</option>)}
      </select>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const tags = tag.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
          if (tags.length) onChange({ addTags: tags }, `${label}: tagged ${tags.join(', ')}`);
          setTag('');
        }}
      >
        <input aria-label={`Add tags to ${label}`} placeholder="+ tag" value={tag} onChange={(e) => setTag(e.target.value)} size={6} maxLength={200} />
      </form>
    </div>
  );
}

function labelOf(o: ObservableItem): string {
  return `${o.type} ${o.value.length > 40 ? `${o.value.slice(0, 40)}…` : o.value}`;
}

/** An observable's tags, each a button that removes it. */
export function TagButtons({ observable: o, onRemove }: { observable: ObservableItem; onRemove: (tag: string, done: string) => void }) {
  const label = labelOf(o);
  return (
    <span className="tags">
      {o.tags.map((t) => (
        <button key={t} type="button" className="tag-remove" onClick={() => onRemove(t, `${label}: tag ${t} removed`)} aria-label={`Remove tag ${t} from ${label}`}>
          {t} <span aria-hidden="true">×</span>
        </button>
      ))}
    </span>
  );
}

function AddObservable({ incidentId, onAdded, onFailed }: { incidentId: string; onAdded: (value: string) => void; onFailed: (message: string) => void }) {
  const [type, setType] = useState<(typeof OBSERVABLE_TYPES)[number]>('ipv4');
  const [value, setValue] = useState('');
  const [ioc, setIoc] = useState(false);
  const [tlp, setTlp] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const added = await dataOf(api.POST('/api/incidents/{id}/observables', { params: { path: { id: incidentId } }, body: { type, value, ioc, ...(tlp ? { tlp: tlp as (typeof TLP_LEVELS)[number] } : {}) } }));
      setValue('');
      onAdded(`${added.type} ${added.value}`);
    } catch (err) {
      onFailed(`Not added: ${describeError(err)}`);
    }
  };
  return (
    <form className="row add-observable" onSubmit={(e) => void submit(e)} aria-label="Add an observable">
      <div className="field"><label htmlFor="obs-type">Type</label><select id="obs-type" value={type} onChange={(e) => setType(e.target.value as (typeof OBSERVABLE_TYPES)[number])}>{OBSERVABLE_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}</select></div>
      <div className="field grow"><label htmlFor="obs-value">Value</label><input id="obs-value" value={value} onChange={(e) => setValue(e.target.value)} required maxLength={32768} placeholder="203.0.113.66, evil.example, a hash…" /></div>
      <div className="field"><label htmlFor="obs-tlp">TLP</label><select id="obs-tlp" value={tlp} onChange={(e) => setTlp(e.target.value)}><option value="">the incident's</option>{TLP_LEVELS.map((t) => <option key={t} value={t}>{t}</option>)}</select></div>
      <label className="check"><input type="checkbox" checked={ioc} onChange={(e) => setIoc(e.target.checked)} /> IOC</label>
      <button type="submit">Add observable</button>
    </form>
  );
}
