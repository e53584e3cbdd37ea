import { useMemo, useState, type FormEvent } from 'react';
import { api, can, type ActionItem, type Finding, type ReviewReport, type ReviewRecord, type User } from '../api';
import { Badge, describeError, ErrorNote, Status, useApi, when } from './common';
import { MatrixGrid } from './MatrixGrid';

const PHASES = ['detection', 'triage', 'containment', 'eradication', 'recovery', 'notification'];
const FINDING_CATEGORIES = ['technical-lapse', 'procedural-failure', 'manual-error', 'process-flaw', 'communication-glitch', 'unknown-attack-vector'];
const ACTION_TYPES = ['fix', 'change-request', 'process-change', 'procedure-update', 'detection-engineering', 'training'];
const ACTION_STATUSES = ['open', 'in-progress', 'done', 'verified', 'wont-do'];

interface Detail {
  report: ReviewReport;
  review: ReviewRecord;
  restrictedTo: string[];
}

export function IncidentReview({ incidentId, user }: { incidentId: string; user: User }) {
  const base = `/api/incidents/${encodeURIComponent(incidentId)}`;
  const { data, error, reload } = useApi<Detail>(base);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const analyst = can(user.role, 'analyst');
  const reviewer = can(user.role, 'reviewer');

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
        <Transitions state={state} analyst={analyst} reviewer={reviewer} complete={Boolean(completeness?.complete)} version={data.review.version} run={run} base={base} />
        {!analyst && <p className="muted small">You have read access ({user.role}).</p>}
        <Status message={message} error={failure} />
      </section>

      <section className="panel" aria-labelledby="summary-title">
        <h2 id="summary-title">Review sections</h2>
        {!r.sections?.length && <p className="prose">{r.summary}</p>}
        {r.sections?.map((s) => <SectionEditor key={s.key} section={s} editable={analyst} base={base} run={run} />)}
      </section>

      <section className="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <table className="grid timeline">
          <caption className="sr-only">Timeline with response phases and key moments</caption>
          <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Phase</th><th scope="col"><span aria-hidden="true">★</span><span className="sr-only">Key moment</span></th><th scope="col">Event</th><th scope="col">Techniques</th></tr></thead>
          <tbody>
            {r.timeline.filter((e) => !e.hidden).map((e) => (
              <tr key={e.id} className={e.keyMoment ? 'key' : undefined}>
                <td className="nowrap">{when(e.at)}</td>
                <td>
                  {analyst ? (
                    <select aria-label={`Phase of ${e.title}`} value={e.phase ?? ''} onChange={(ev) => void run('Phase saved', () => api(`${base}/timeline/${encodeURIComponent(e.id)}/annotation`, { method: 'PUT', body: { phase: ev.target.value || null, expectedVersion: e.version } }))}>
                      <option value="">—</option>
                      {PHASES.map((p) => <option key={p}>{p}</option>)}
                    </select>
                  ) : e.phase ? <Badge value={e.phase} /> : '—'}
                </td>
                <td>
                  {analyst ? (
                    <input type="checkbox" aria-label={`Key moment: ${e.title}`} checked={e.keyMoment} onChange={(ev) => void run('Key moment saved', () => api(`${base}/timeline/${encodeURIComponent(e.id)}/annotation`, { method: 'PUT', body: { keyMoment: ev.target.checked, expectedVersion: e.version } }))} />
                  ) : e.keyMoment ? <span aria-label="key moment">★</span> : ''}
                </td>
                <td>
                  {e.title}
                  {e.origin === 'manual' && <span className="muted small"> (added by the team)</span>}
                  {e.origin === 'manual' && analyst && (
                    <button type="button" className="link" aria-label={`Delete event ${e.title}`} onClick={() => void run('Event deleted', () => api(`${base}/timeline/${encodeURIComponent(e.id)}${e.version !== undefined ? `?expectedVersion=${e.version}` : ''}`, { method: 'DELETE' }))}>Delete</button>
                  )}
                </td>
                <td className="muted small">{e.techniques.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {analyst && <AddEvent base={base} run={run} />}
      </section>

      <section className="panel" aria-labelledby="tech-title-h">
        <h2 id="tech-title-h">Techniques on the ATT&CK matrix <span className="muted small">ATT&CK {r.techniques.attackVersion}, {r.techniques.techniqueIds.length} technique(s)</span></h2>
        <MatrixGrid scores={incidentScores} label="Techniques of this incident on the ATT&CK matrix" onlyScored />
      </section>

      <section className="panel" aria-labelledby="entities-title">
        <h2 id="entities-title">Entities</h2>
        <table className="grid">
          <caption className="sr-only">Entities involved</caption>
          <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Roles</th><th scope="col">Verdicts</th><th scope="col" className="num">Alerts</th></tr></thead>
          <tbody>{r.entities.map((e) => <tr key={`${e.kind}:${e.key}`}><td>{e.kind}</td><td className="break">{e.displayName}</td><td>{e.roles.join(', ')}</td><td>{e.verdicts.join(', ')}</td><td className="num">{e.alertIds.length}</td></tr>)}</tbody>
        </table>
      </section>

      <Findings findings={r.findings ?? []} editable={analyst} base={base} run={run} />
      <Actions actions={r.actions ?? []} findings={r.findings ?? []} editable={analyst} base={base} run={run} />

      <section className="panel" aria-labelledby="questions-title">
        <h2 id="questions-title">Lessons learned</h2>
        <ol className="questions">{r.questions?.map((q) => <QuestionEditor key={q.id} q={q} editable={analyst} base={base} run={run} />)}</ol>
      </section>
    </article>
  );
}

type Run = (what: string, fn: () => Promise<unknown>) => Promise<boolean>;

function AddEvent({ base, run }: { base: string; run: Run }) {
  const [at, setAt] = useState('');
  const [title, setTitle] = useState('');
  const [phase, setPhase] = useState('');
  const [key, setKey] = useState(false);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const iso = new Date(`${at}Z`).toISOString();
    if (await run('Event added to the timeline', () => api(`${base}/timeline`, { method: 'POST', body: { at: iso, title, phase: phase || null, keyMoment: key } }))) {
      setTitle('');
      setKey(false);
    }
  };
  return (
    <form className="row add" onSubmit={(e) => void add(e)} aria-label="Add a timeline event">
      <div className="field"><label htmlFor="ne-at">When (UTC)</label><input id="ne-at" type="datetime-local" step="1" value={at} onChange={(e) => setAt(e.target.value)} required /></div>
      <div className="field grow"><label htmlFor="ne-title">New event</label><input id="ne-title" value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
      <div className="field"><label htmlFor="ne-phase">Phase</label><select id="ne-phase" value={phase} onChange={(e) => setPhase(e.target.value)}><option value="">—</option>{PHASES.map((p) => <option key={p}>{p}</option>)}</select></div>
      <div className="field check"><input id="ne-key" type="checkbox" checked={key} onChange={(e) => setKey(e.target.checked)} /><label htmlFor="ne-key">Key moment</label></div>
      <button type="submit" className="primary">Add event</button>
    </form>
  );
}

function Transitions({ state, analyst, reviewer, complete, version, run, base }: { state: string; analyst: boolean; reviewer: boolean; complete: boolean; version: number; run: Run; base: string }) {
  const [mode, setMode] = useState<'approve' | 'waive' | 'return' | null>(null);
  const [sufficiency, setSufficiency] = useState('sufficient');
  const [notes, setNotes] = useState('');
  const [reason, setReason] = useState('');
  const post = (name: string, body: Record<string, unknown> = {}) => run(`Review: ${name} done`, () => api(`${base}/review/${name}`, { method: 'POST', body: { ...body, expectedVersion: version } }));
  const buttons: [string, string, boolean][] = [
    ['start', 'Start draft', analyst && ['not-required', 'required'].includes(state)],
    ['submit', 'Submit for review', analyst && state === 'draft'],
    ['approve', 'Approve…', reviewer && state === 'in-review'],
    ['return', 'Return to draft…', reviewer && state === 'in-review'],
    ['waive', 'Waive…', reviewer && ['required', 'draft', 'in-review'].includes(state)],
    ['reopen', 'Reopen', reviewer && ['approved', 'waived'].includes(state)],
  ];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = mode === 'approve' ? await post('approve', { sufficiency, notes: notes || undefined, overrideIncomplete: complete ? undefined : reason }) : await post(mode ?? '', { reason });
    if (ok) setMode(null);
  };
  return (
    <div>
      <div className="buttons">
        {buttons.filter(([, , show]) => show).map(([name, label]) => (
          <button key={name} type="button" className={name === 'approve' || name === 'submit' ? 'primary' : undefined} onClick={() => (['approve', 'waive', 'return'].includes(name) ? setMode(name as 'approve') : void post(name))}>{label}</button>
        ))}
      </div>
      {mode && (
        <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={`${mode} the review`}>
          {mode === 'approve' && (
            <>
              <label htmlFor="sufficiency">Was the response sufficient?</label>
              <select id="sufficiency" value={sufficiency} onChange={(e) => setSufficiency(e.target.value)}><option>sufficient</option><option>insufficient</option></select>
              <label htmlFor="approve-notes">Notes{sufficiency === 'insufficient' ? ' (required)' : ''}</label>
              <textarea id="approve-notes" rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} />
            </>
          )}
          {(mode !== 'approve' || !complete) && (
            <>
              <label htmlFor="reason">{mode === 'approve' ? 'The review is incomplete: why approve anyway?' : 'Reason'}</label>
              <textarea id="reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required />
            </>
          )}
          <div className="buttons"><button type="submit" className="primary">Confirm {mode}</button><button type="button" onClick={() => setMode(null)}>Cancel</button></div>
        </form>
      )}
    </div>
  );
}

function SectionEditor({ section, editable, base, run }: { section: NonNullable<ReviewReport['sections']>[number]; editable: boolean; base: string; run: Run }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(section.body);
  const id = `section-${section.key}`;
  return (
    <div className="section">
      <h3 id={`${id}-h`}>{section.title} {section.source === 'generated' && <span className="muted small">(generated, not yet confirmed)</span>}</h3>
      {editing ? (
        <form onSubmit={(e) => { e.preventDefault(); void run(`${section.title} saved`, () => api(`${base}/sections/${section.key}`, { method: 'PUT', body: { body: text, expectedVersion: section.version } })).then((ok) => ok && setEditing(false)); }}>
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

function QuestionEditor({ q, editable, base, run }: { q: NonNullable<ReviewReport['questions']>[number]; editable: boolean; base: string; run: Run }) {
  const [text, setText] = useState(q.answer ?? '');
  const id = `answer-${q.id}`;
  return (
    <li>
      <label htmlFor={id}>{q.text}</label>
      {editable ? (
        <form onSubmit={(e) => { e.preventDefault(); void run(`Answer ${q.number} saved`, () => api(`${base}/answers/${q.id}`, { method: 'PUT', body: { answer: text, expectedVersion: q.version } })); }}>
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

function Findings({ findings, editable, base, run }: { findings: Finding[]; editable: boolean; base: string; run: Run }) {
  const [category, setCategory] = useState(FINDING_CATEGORIES[0] ?? '');
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState('medium');
  const [editing, setEditing] = useState<string | null>(null);
  const [editTitle, setEditTitle] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await run('Finding added', () => api(`${base}/findings`, { method: 'POST', body: { category, title, severity } }))) setTitle('');
  };
  return (
    <section className="panel" aria-labelledby="findings-title">
      <h2 id="findings-title">Findings <span className="muted small">{findings.length}</span></h2>
      <ul className="items">
        {findings.map((f) => (
          <li key={f.id}>
            {editing === f.id ? (
              <form className="row" onSubmit={(e) => { e.preventDefault(); void run('Finding saved', () => api(`/api/findings/${f.id}`, { method: 'PATCH', body: { title: editTitle, expectedVersion: f.version } })).then(() => setEditing(null)); }}>
                <label htmlFor={`ft-${f.id}`} className="sr-only">Finding title</label>
                <input id={`ft-${f.id}`} value={editTitle} onChange={(e) => setEditTitle(e.target.value)} required />
                <button type="submit" className="primary">Save</button>
                <button type="button" onClick={() => setEditing(null)}>Cancel</button>
              </form>
            ) : (
              <>
                <Badge value={f.severity} /> <strong>{f.title}</strong> <span className="muted small">{f.category} · {f.id} · v{f.version} by {f.updatedBy}</span>
                {editable && <button type="button" className="link" onClick={() => { setEditing(f.id); setEditTitle(f.title); }} aria-label={`Edit finding ${f.title}`}>Edit</button>}
              </>
            )}
          </li>
        ))}
      </ul>
      {editable && (
        <form className="row add" onSubmit={(e) => void add(e)} aria-label="Add a finding">
          <div className="field"><label htmlFor="nf-category">Category</label><select id="nf-category" value={category} onChange={(e) => setCategory(e.target.value)}>{FINDING_CATEGORIES.map((c) => <option key={c}>{c}</option>)}</select></div>
          <div className="field grow"><label htmlFor="nf-title">New finding</label><input id="nf-title" value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
          <div className="field"><label htmlFor="nf-severity">Severity</label><select id="nf-severity" value={severity} onChange={(e) => setSeverity(e.target.value)}>{['low', 'medium', 'high', 'critical'].map((c) => <option key={c}>{c}</option>)}</select></div>
          <button type="submit" className="primary">Add finding</button>
        </form>
      )}
    </section>
  );
}

function Actions({ actions, findings, editable, base, run }: { actions: ActionItem[]; findings: Finding[]; editable: boolean; base: string; run: Run }) {
  const [type, setType] = useState('fix');
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const [finding, setFinding] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await run('Action item added', () => api(`${base}/action-items`, { method: 'POST', body: { type, title, owner: owner || null, dueDate: due || null, findingId: finding || null } }))) {
      setTitle('');
      setOwner('');
      setDue('');
    }
  };
  return (
    <section className="panel" aria-labelledby="actions-h">
      <h2 id="actions-h">Action items <span className="muted small">{actions.length}</span></h2>
      <table className="grid">
        <caption className="sr-only">Action items of this incident</caption>
        <thead><tr><th scope="col">Action</th><th scope="col">Type</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead>
        <tbody>
          {actions.map((a) => (
            <tr key={a.id} className={a.overdue ? 'overdue' : undefined}>
              <td>{a.title}</td>
              <td>{a.type}</td>
              <td>{a.owner ?? '—'}</td>
              <td className="nowrap">{a.dueDate ?? '—'}{a.overdue && <> <Badge value="overdue" /></>}</td>
              <td>
                {editable ? (
                  <select aria-label={`Status of ${a.title}`} value={a.status} onChange={(e) => void run('Status saved', () => api(`/api/action-items/${a.id}/status`, { method: 'POST', body: { status: e.target.value, expectedVersion: a.version, ...(e.target.value === 'wont-do' ? { reason: 'decided in the review' } : {}), ...(e.target.value === 'verified' ? { verificationMethod: 'checked in the review', verificationEvidence: 'see the review' } : {}) } }))}>
                    {ACTION_STATUSES.map((s) => <option key={s}>{s}</option>)}
                  </select>
                ) : <Badge value={a.status} kind="state" />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editable && (
        <form className="row add" onSubmit={(e) => void add(e)} aria-label="Add an action item">
          <div className="field"><label htmlFor="na-type">Type</label><select id="na-type" value={type} onChange={(e) => setType(e.target.value)}>{ACTION_TYPES.map((c) => <option key={c}>{c}</option>)}</select></div>
          <div className="field grow"><label htmlFor="na-title">New action item</label><input id="na-title" value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
          <div className="field"><label htmlFor="na-owner">Owner</label><input id="na-owner" value={owner} onChange={(e) => setOwner(e.target.value)} size={10} /></div>
          <div className="field"><label htmlFor="na-due">Due</label><input id="na-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} /></div>
          <div className="field"><label htmlFor="na-finding">Finding</label><select id="na-finding" value={finding} onChange={(e) => setFinding(e.target.value)}><option value="">—</option>{findings.map((f) => <option key={f.id} value={f.id}>{f.title.slice(0, 40)}</option>)}</select></div>
          <button type="submit" className="primary">Add action</button>
        </form>
      )}
    </section>
  );
}
