import { useState, type FormEvent } from 'react';
import { api, type Finding, type ReviewReport } from '../api';
import { Badge, useLifecycle, when } from './common';
import { eventAnchor, focusElement, isReviewEvent, type ReviewEvent, type ReviewParts } from './reviewTypes';
import { VersionedText } from './VersionedText';

type Category = Finding['category'];
type Severity = Finding['severity'];

/** Pick the value a select chose from the list it offered. */
export function chosen<T extends string>(options: readonly T[], value: string, fallback: T): T {
  return options.find((o) => o === value) ?? fallback;
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/**
 * The review's findings: what went wrong, why (description, contributing factors) and where it
 * shows (linked timeline events, techniques, evidence). Added, edited and deleted while the review
 * is editable; every change is versioned and recorded.
 */
export function Findings({ findings, events, techniques, parts }: { findings: Finding[]; events: ReviewReport['timeline']; techniques: string[]; parts: ReviewParts }) {
  const { findings: vocabulary } = useLifecycle();
  const categories = vocabulary.categories.map((c) => c.id);
  const { incidentId, editable, run } = parts;
  const [category, setCategory] = useState<Category>(categories[0] ?? 'technical-lapse');
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<Severity>('medium');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await run('Finding added', () => api.POST('/api/incidents/{id}/findings', { params: { path: { id: incidentId } }, body: { category, title, severity } }))) setTitle('');
  };
  return (
    <section className="panel" aria-labelledby="findings-title">
      <h2 id="findings-title">Findings <span className="muted small">{findings.length}</span></h2>
      <ul className="items findings">
        {findings.map((f) => <FindingItem key={f.id} finding={f} events={events} techniques={techniques} parts={parts} />)}
      </ul>
      {editable && (
        <form className="row add" onSubmit={(e) => void add(e)} aria-label="Add a finding">
          <div className="field"><label htmlFor="nf-category">Category</label><select id="nf-category" value={category} onChange={(e) => setCategory(chosen(categories, e.target.value, category))}>{vocabulary.categories.map((c) => <option key={c.id} value={c.id}>{c.id}</option>)}</select></div>
          <div className="field grow"><label htmlFor="nf-title">New finding</label><input id="nf-title" value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
          <div className="field"><label htmlFor="nf-severity">Severity</label><select id="nf-severity" value={severity} onChange={(e) => setSeverity(chosen(vocabulary.severities, e.target.value, severity))}>{vocabulary.severities.map((c) => <option key={c}>{c}</option>)}</select></div>
          <button type="submit" className="primary">Add finding</button>
        </form>
      )}
    </section>
  );
}

function FindingItem({ finding: f, events, techniques, parts }: { finding: Finding; events: ReviewReport['timeline']; techniques: string[]; parts: ReviewParts }) {
  const { incidentId, editable, run, fetchLatest, saved } = parts;
  const [editing, setEditing] = useState(false);
  const timeline = events.filter(isReviewEvent);
  const linked = timeline.filter((e) => f.timelineEventIds.includes(e.id));
  const remove = () => {
    if (!window.confirm(`Delete the finding “${f.title}”? Its action items stay, unlinked; the deletion is recorded in the history.`)) return;
    void run('Finding deleted', () => api.DELETE('/api/findings/{id}', { params: { path: { id: f.id }, query: { expectedVersion: f.version } } }));
  };
  return (
    <li className="finding" id={`finding-${f.id}`}>
      <div className="finding-head">
        <Badge value={f.severity} /> <strong>{f.title}</strong> <span className="muted small">{f.category} · v{f.version} by {f.updatedBy}, {when(f.updatedAt)}</span>
        {editable && !editing && <button type="button" className="link" onClick={() => setEditing(true)} aria-label={`Edit details of finding ${f.title}`}>Edit details</button>}
        {editable && <button type="button" className="link danger" onClick={remove} aria-label={`Delete finding ${f.title}`}>Delete</button>}
      </div>
      <VersionedText
        id={`fd-${f.id}`}
        label={`Description of ${f.title}`}
        value={f.description}
        version={f.version}
        rows={4}
        editable={editable}
        draftKey={`${incidentId}.finding.${f.id}.description`}
        save={(description, expectedVersion) => api.PATCH('/api/findings/{id}', { params: { path: { id: f.id } }, body: { description, expectedVersion } })}
        latest={async () => {
          const now = (await fetchLatest()).report.findings?.find((x) => x.id === f.id);
          return { text: now?.description ?? '', version: now?.version ?? f.version, by: now?.updatedBy ?? null, at: now?.updatedAt ?? null };
        }}
        onSaved={saved}
        view={<p className="prose">{f.description || <span className="muted">No description yet.</span>}</p>}
      />
      {editing ? (
        <FindingForm finding={f} timeline={timeline} techniques={techniques} onDone={() => setEditing(false)} parts={parts} />
      ) : (
        <dl className="finding-facts">
          {f.contributingFactors.length > 0 && <><dt>Contributing factors</dt><dd><ul>{f.contributingFactors.map((c, i) => <li key={i}>{c}</li>)}</ul></dd></>}
          {linked.length > 0 && <><dt>Events</dt><dd><ul className="inline-list">{linked.map((e) => <li key={e.id}><button type="button" className="link" onClick={() => focusElement(eventAnchor(e.id))}>{when(e.at)} {e.title}</button></li>)}</ul></dd></>}
          {f.techniques.length > 0 && <><dt>Techniques</dt><dd>{f.techniques.map((t) => <a key={t} className="tag" href={`#/matrix/${encodeURIComponent(t)}`}>{t}</a>)}</dd></>}
          {f.evidence.length > 0 && <><dt>Evidence</dt><dd><ul>{f.evidence.map((e, i) => <li key={i} className="break">{e}</li>)}</ul></dd></>}
          {f.acceptedRisk && <><dt>Accepted risk</dt><dd>{f.acceptedRisk}</dd></>}
        </dl>
      )}
    </li>
  );
}

/** The structured parts of a finding: title, category, severity, factors and links. */
function FindingForm({ finding: f, timeline, techniques, onDone, parts }: { finding: Finding; timeline: ReviewEvent[]; techniques: string[]; onDone: () => void; parts: ReviewParts }) {
  const { findings: vocabulary } = useLifecycle();
  const categories = vocabulary.categories.map((c) => c.id);
  const [title, setTitle] = useState(f.title);
  const [category, setCategory] = useState<Category>(f.category);
  const [severity, setSeverity] = useState<Severity>(f.severity);
  const [factors, setFactors] = useState(f.contributingFactors.join('\n'));
  const [eventIds, setEventIds] = useState<string[]>(f.timelineEventIds);
  const [techs, setTechs] = useState<string[]>(f.techniques);
  const [evidence, setEvidence] = useState(f.evidence.join('\n'));
  const id = `ff-${f.id}`;
  const toggle = (list: string[], value: string) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = { title, category, severity, contributingFactors: lines(factors), timelineEventIds: eventIds, techniques: techs, evidence: lines(evidence), expectedVersion: f.version };
    if (await parts.run('Finding saved', () => api.PATCH('/api/findings/{id}', { params: { path: { id: f.id } }, body }))) onDone();
  };
  const allTechniques = [...new Set([...techniques, ...f.techniques])].sort();
  return (
    <form className="finding-form" onSubmit={(e) => void save(e)} aria-label={`Edit finding ${f.title}`}>
      <div className="row">
        <div className="field grow"><label htmlFor={`${id}-title`}>Title</label><input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
        <div className="field"><label htmlFor={`${id}-cat`}>Category</label><select id={`${id}-cat`} value={category} onChange={(e) => setCategory(chosen(categories, e.target.value, category))}>{categories.map((c) => <option key={c}>{c}</option>)}</select></div>
        <div className="field"><label htmlFor={`${id}-sev`}>Severity</label><select id={`${id}-sev`} value={severity} onChange={(e) => setSeverity(chosen(vocabulary.severities, e.target.value, severity))}>{vocabulary.severities.map((c) => <option key={c}>{c}</option>)}</select></div>
      </div>
      <label htmlFor={`${id}-factors`}>Contributing factors (one per line)</label>
      <textarea id={`${id}-factors`} rows={3} value={factors} onChange={(e) => setFactors(e.target.value)} />
      <fieldset className="pick-list">
        <legend>Timeline events it shows in</legend>
        <div className="scroll-list">
          {timeline.map((ev) => <label key={ev.id} className="choice"><input type="checkbox" checked={eventIds.includes(ev.id)} onChange={() => setEventIds(toggle(eventIds, ev.id))} /> {when(ev.at)} {ev.title}</label>)}
        </div>
      </fieldset>
      <fieldset className="pick-list">
        <legend>Techniques</legend>
        {allTechniques.length === 0 ? <p className="muted small">The incident has no technique.</p> : allTechniques.map((t) => <label key={t} className="choice inline"><input type="checkbox" checked={techs.includes(t)} onChange={() => setTechs(toggle(techs, t))} /> {t}</label>)}
      </fieldset>
      <label htmlFor={`${id}-evidence`}>Evidence (one reference per line: file, ticket, log query)</label>
      <textarea id={`${id}-evidence`} rows={3} value={evidence} onChange={(e) => setEvidence(e.target.value)} />
      <div className="buttons"><button type="submit" className="primary">Save finding</button><button type="button" onClick={onDone}>Cancel</button></div>
    </form>
  );
}
