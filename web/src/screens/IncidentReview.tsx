import { useMemo, useState, type FormEvent } from 'react';
import { api, can, dataOf, type ReviewReport, type Schemas, type User } from '../api';
import { Badge, describeError, ErrorNote, Status, useApi, useLifecycle, when } from './common';
import { MatrixGrid } from './MatrixGrid';
import { ProbablyAlsoHappened } from './ProbablyAlsoHappened';
import { Actions, Findings } from './ReviewItems';
import { ReviewTransitions, type Run } from './ReviewTransitions';

type ReviewEvent = Schemas['ReviewTimelineEvent'];
type Phase = NonNullable<ReviewEvent['phase']>;

/** The incident detail's timeline is always the review's (merged, annotated). */
function isReviewEvent(event: ReviewReport['timeline'][number]): event is ReviewEvent {
  return 'hidden' in event;
}

export function IncidentReview({ incidentId, user }: { incidentId: string; user: User }) {
  const base = `/api/incidents/${encodeURIComponent(incidentId)}`;
  const lifecycle = useLifecycle();
  const { data, error, reload } = useApi(() => dataOf(api.GET('/api/incidents/{id}', { params: { path: { id: incidentId } } })), incidentId);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const analyst = can(lifecycle.roles, user.role, 'analyst');
  const phaseNamed = (value: string): Phase | null => lifecycle.responsePhases.find((p) => p === value) ?? null;

  const run = async (what: string, fn: () => Promise<unknown>) => {
    setFailure(null);
    setMessage(null);
    try {
      await fn();
      setMessage(what);
      reload();
      return true;
    } catch (e) {
      setFailure(describeError(e));
      reload();
      return false;
    }
  };

  const incidentScores = useMemo(() => {
    const m = new Map<string, number>();
    for (const t of data?.report.techniques.tactics ?? []) for (const x of t.techniques) m.set(x.id, Math.max(m.get(x.id) ?? 0, x.alertIds.length || 1));
    return m;
  }, [data]);

  if (error) return <ErrorNote error={error} />;
  if (!data) return <p className="muted" role="status">Loading the review…</p>;
  const r = data.report;
  const state = data.review.state;
  const completeness = r.completeness;
  // Content can be edited only in the states the server allows it in; action items move in any state.
  const editable = analyst && lifecycle.editableStates.some((s) => s === state);
  const path = { id: incidentId };

  return (
    <article aria-labelledby="review-title" className="review">
      <p><a href="#/incidents">← Incidents</a></p>
      <div className="title-row">
        <h1 id="review-title">{r.incident.title}</h1>
        <div className="actions">
          <a className="button" href={`#/incidents/${encodeURIComponent(incidentId)}/attribution`}>Attribution</a>
          {(['md', 'html', 'pdf', 'json'] as const).map((f) => <a key={f} className="button" href={`${base}/report?format=${f}`} download>{f.toUpperCase()}</a>)}
        </div>
      </div>
      <p className="meta">
        <Badge value={r.incident.severity} /> <span>{r.incident.status}</span> · <span>{r.incident.source}:{r.incident.sourceId}</span> · created {when(r.incident.createdAt)} · {r.incident.alertCount} alert(s)
        {data.restrictedTo.length > 0 && <> · <strong>restricted</strong> to {data.restrictedTo.join(', ')}</>}
      </p>

      <nav className="subnav" aria-label="Parts of the review">
        <ul>
          {[['state-title', 'Review'], ['summary-title', 'Sections'], ['timeline-title', 'Timeline'], ['tech-title-h', 'Techniques'], ['entities-title', 'Entities'], ['findings-title', 'Findings'], ['actions-h', 'Action items'], ['questions-title', 'Lessons learned']].map(([id, label]) => (
            <li key={id}><a href={`#${id}`} onClick={(e) => { e.preventDefault(); const el = document.getElementById(id ?? ''); el?.closest('section')?.scrollIntoView(); el?.setAttribute('tabindex', '-1'); el?.focus({ preventScroll: true }); }}>{label}</a></li>
          ))}
        </ul>
      </nav>

      <section className="panel state-panel" aria-labelledby="state-title">
        <h2 id="state-title">Review <Badge value={state} kind="state" /> <span className="muted small">version {data.review.version}</span></h2>
        {completeness && (
          <div className="completeness">
            <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={completeness.score} aria-label="Completeness">
              <span style={{ width: `${completeness.score}%` }} />
            </div>
            <span>{completeness.score}% complete</span>
            <ul className="parts">{completeness.parts.map((p) => <li key={p.id}>{p.label}: {p.done}/{p.total}{p.missing.length > 0 && <span className="muted"> — missing {p.missing.slice(0, 2).join('; ')}{p.missing.length > 2 ? '…' : ''}</span>}</li>)}</ul>
          </div>
        )}
        {data.review.approvedBy && <p>Approved by {data.review.approvedBy} at {when(data.review.approvedAt)} ({data.review.sufficiency})</p>}
        {data.review.waiverReason && <p>Waived: {data.review.waiverReason}</p>}
        <ReviewTransitions incidentId={incidentId} state={state} role={user.role} complete={Boolean(completeness?.complete)} version={data.review.version} run={run} />
        {!analyst && <p className="muted small">You have read access ({user.role}).</p>}
        <Status message={message} error={failure} />
      </section>

      <section className="panel" aria-labelledby="summary-title">
        <h2 id="summary-title">Review sections</h2>
        {!r.sections?.length && <p className="prose">{r.summary}</p>}
        {r.sections?.map((s) => <SectionEditor key={s.key} section={s} editable={editable} incidentId={incidentId} run={run} />)}
      </section>

      <section className="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <table className="grid timeline">
          <caption className="sr-only">Timeline with response phases and key moments</caption>
          <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Phase</th><th scope="col"><span aria-hidden="true">★</span><span className="sr-only">Key moment</span></th><th scope="col">Event</th><th scope="col">Techniques</th></tr></thead>
          <tbody>
            {r.timeline.filter(isReviewEvent).filter((e) => !e.hidden).map((e) => (
              <tr key={e.id} className={e.keyMoment ? 'key' : undefined}>
                <td className="nowrap">{when(e.at)}</td>
                <td>
                  {editable ? (
                    <select aria-label={`Phase of ${e.title}`} value={e.phase ?? ''} onChange={(ev) => void run('Phase saved', () => api.PUT('/api/incidents/{id}/timeline/{eventId}/annotation', { params: { path: { ...path, eventId: e.id } }, body: { phase: phaseNamed(ev.target.value), expectedVersion: e.version } }))}>
                      <option value="">—</option>
                      {lifecycle.responsePhases.map((p) => <option key={p}>{p}</option>)}
                    </select>
                  ) : e.phase ? <Badge value={e.phase} /> : '—'}
                </td>
                <td>
                  {editable ? (
                    <input type="checkbox" aria-label={`Key moment: ${e.title}`} checked={e.keyMoment} onChange={(ev) => void run('Key moment saved', () => api.PUT('/api/incidents/{id}/timeline/{eventId}/annotation', { params: { path: { ...path, eventId: e.id } }, body: { keyMoment: ev.target.checked, expectedVersion: e.version } }))} />
                  ) : e.keyMoment ? <span aria-label="key moment">★</span> : ''}
                </td>
                <td>
                  {e.title}
                  {e.origin === 'manual' && <span className="muted small"> (added by the team)</span>}
                  {e.origin === 'manual' && editable && (
                    <button type="button" className="link" aria-label={`Delete event ${e.title}`} onClick={() => void run('Event deleted', () => api.DELETE('/api/incidents/{id}/timeline/{eventId}', { params: { path: { ...path, eventId: e.id }, query: { expectedVersion: e.version } } }))}>Delete</button>
                  )}
                </td>
                <td className="muted small">{e.techniques.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {editable && <AddEvent incidentId={incidentId} run={run} />}
      </section>

      <section className="panel" aria-labelledby="tech-title-h">
        <h2 id="tech-title-h">Techniques on the ATT&CK matrix <span className="muted small">ATT&CK {r.techniques.attackVersion}, {r.techniques.techniqueIds.length} technique(s)</span></h2>
        <MatrixGrid scores={incidentScores} label="Techniques of this incident on the ATT&CK matrix" onlyScored />
      </section>

      <ProbablyAlsoHappened incidentId={incidentId} canDecide={analyst} onChange={reload} />

      <section className="panel" aria-labelledby="entities-title">
        <h2 id="entities-title">Entities</h2>
        <table className="grid">
          <caption className="sr-only">Entities involved</caption>
          <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Roles</th><th scope="col">Verdicts</th><th scope="col" className="num">Alerts</th></tr></thead>
          <tbody>{r.entities.map((e) => <tr key={`${e.kind}:${e.key}`}><td>{e.kind}</td><td className="break">{e.displayName}</td><td>{e.roles.join(', ')}</td><td>{e.verdicts.join(', ')}</td><td className="num">{e.alertIds.length}</td></tr>)}</tbody>
        </table>
      </section>

      <Findings findings={r.findings ?? []} editable={editable} incidentId={incidentId} run={run} />
      <Actions actions={r.actions ?? []} findings={r.findings ?? []} editable={editable} movable={analyst} incidentId={incidentId} run={run} />

      <section className="panel" aria-labelledby="questions-title">
        <h2 id="questions-title">Lessons learned</h2>
        <ol className="questions">{r.questions?.map((q) => <QuestionEditor key={q.id} q={q} editable={editable} incidentId={incidentId} run={run} />)}</ol>
      </section>
    </article>
  );
}


function AddEvent({ incidentId, run }: { incidentId: string; run: Run }) {
  const { responsePhases } = useLifecycle();
  const [at, setAt] = useState('');
  const [title, setTitle] = useState('');
  const [phase, setPhase] = useState<Phase | null>(null);
  const [key, setKey] = useState(false);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const iso = new Date(`${at}Z`).toISOString();
    if (await run('Event added to the timeline', () => api.POST('/api/incidents/{id}/timeline', { params: { path: { id: incidentId } }, body: { at: iso, title, phase, keyMoment: key } }))) {
      setTitle('');
      setKey(false);
    }
  };
  return (
    <form className="row add" onSubmit={(e) => void add(e)} aria-label="Add a timeline event">
      <div className="field"><label htmlFor="ne-at">When (UTC)</label><input id="ne-at" type="datetime-local" step="1" value={at} onChange={(e) => setAt(e.target.value)} required /></div>
      <div className="field grow"><label htmlFor="ne-title">New event</label><input id="ne-title" value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
      <div className="field"><label htmlFor="ne-phase">Phase</label><select id="ne-phase" value={phase ?? ''} onChange={(e) => setPhase(responsePhases.find((p) => p === e.target.value) ?? null)}><option value="">—</option>{responsePhases.map((p) => <option key={p}>{p}</option>)}</select></div>
      <div className="field check"><input id="ne-key" type="checkbox" checked={key} onChange={(e) => setKey(e.target.checked)} /><label htmlFor="ne-key">Key moment</label></div>
      <button type="submit" className="primary">Add event</button>
    </form>
  );
}

function SectionEditor({ section, editable, incidentId, run }: { section: NonNullable<ReviewReport['sections']>[number]; editable: boolean; incidentId: string; run: Run }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(section.body);
  const id = `section-${section.key}`;
  const save = () => api.PUT('/api/incidents/{id}/sections/{key}', { params: { path: { id: incidentId, key: section.key } }, body: { body: text, expectedVersion: section.version } });
  return (
    <div className="section">
      <h3 id={`${id}-h`}>{section.title} {section.source === 'generated' && <span className="muted small">(generated, not yet confirmed)</span>}</h3>
      {editing ? (
        <form onSubmit={(e) => { e.preventDefault(); void run(`${section.title} saved`, save).then((ok) => ok && setEditing(false)); }}>
          <label htmlFor={id} className="sr-only">{section.title}</label>
          <textarea id={id} rows={5} value={text} onChange={(e) => setText(e.target.value)} />
          <div className="buttons"><button type="submit" className="primary">Save</button><button type="button" onClick={() => { setText(section.body); setEditing(false); }}>Cancel</button></div>
        </form>
      ) : (
        <>
          <p className="prose">{section.body || <span className="muted">Not written yet.</span>}</p>
          {editable && <button type="button" onClick={() => { setText(section.body); setEditing(true); }} aria-describedby={`${id}-h`}>Edit</button>}
          {section.updatedBy && <span className="muted small"> by {section.updatedBy}, {when(section.updatedAt)}</span>}
        </>
      )}
    </div>
  );
}

function QuestionEditor({ q, editable, incidentId, run }: { q: NonNullable<ReviewReport['questions']>[number]; editable: boolean; incidentId: string; run: Run }) {
  const { questions } = useLifecycle();
  const [text, setText] = useState(q.answer ?? '');
  const id = `answer-${q.id}`;
  // The question as the server names it (the route takes only the ids it knows).
  const questionId = questions.find((known) => known.id === q.id)?.id;
  return (
    <li>
      <label htmlFor={id}>{q.text}</label>
      {editable && questionId ? (
        <form onSubmit={(e) => { e.preventDefault(); void run(`Answer ${q.number} saved`, () => api.PUT('/api/incidents/{id}/answers/{questionId}', { params: { path: { id: incidentId, questionId } }, body: { answer: text, expectedVersion: q.version } })); }}>
          <textarea id={id} rows={2} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" disabled={text === (q.answer ?? '')}>Save answer</button>
          {q.answeredBy && <span className="muted small"> answered by {q.answeredBy}</span>}
        </form>
      ) : (
        <p id={id} className="prose">{q.answer ?? <span className="muted">Not answered.</span>}</p>
      )}
    </li>
  );
}
