import { useMemo, useState, type FormEvent } from 'react';
import { api, type ReviewReport } from '../api';
import { Badge, useLifecycle, when } from './common';
import { entityAnchor, eventAnchor, focusElement, isReviewEvent, type ReviewEntity, type ReviewEvent, type ReviewParts } from './reviewTypes';

type Phase = NonNullable<ReviewEvent['phase']>;

/**
 * The merged timeline: every event with its full detail (comment text, commands, evidence), the
 * entities of its alert, the team's notes, phase and key-moment tags. Noise can be hidden (with a
 * reason, audited, kept in the data and left out of the report) and shown again.
 */
export function Timeline({ events, entities, parts }: { events: ReviewReport['timeline']; entities: ReviewEntity[]; parts: ReviewParts }) {
  const [showHidden, setShowHidden] = useState(false);
  const all = events.filter(isReviewEvent);
  const hiddenCount = all.filter((e) => e.hidden).length;
  const shown = showHidden ? all : all.filter((e) => !e.hidden);
  const entitiesByAlert = useMemo(() => {
    const m = new Map<string, ReviewEntity[]>();
    for (const e of entities) for (const a of e.alertIds) m.set(a, [...(m.get(a) ?? []), e]);
    return m;
  }, [entities]);
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <div className="title-row">
        <h2 id="timeline-title">Timeline <span className="muted small">{all.length - hiddenCount} event(s){hiddenCount > 0 ? `, ${hiddenCount} hidden` : ''}</span></h2>
        {hiddenCount > 0 && (
          <div className="field check">
            <input id="tl-show-hidden" type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />
            <label htmlFor="tl-show-hidden">Show hidden events</label>
          </div>
        )}
      </div>
      <ol className="timeline-list">
        {shown.map((e) => <EventRow key={e.id} event={e} entities={e.alertId ? entitiesByAlert.get(e.alertId) ?? [] : []} parts={parts} />)}
      </ol>
      {parts.editable && <AddEvent parts={parts} />}
    </section>
  );
}

function EventRow({ event: e, entities, parts }: { event: ReviewEvent; entities: ReviewEntity[]; parts: ReviewParts }) {
  const { responsePhases } = useLifecycle();
  const { incidentId, editable, run } = parts;
  const [noteOpen, setNoteOpen] = useState(false);
  const [note, setNote] = useState(e.note ?? '');
  const [hiding, setHiding] = useState(false);
  const [reason, setReason] = useState('');
  const path = { id: incidentId, eventId: e.id };
  const annotate = (what: string, body: { phase?: Phase | null; keyMoment?: boolean; hidden?: boolean; hiddenReason?: string | null; note?: string | null }) =>
    run(what, () => api.PUT('/api/incidents/{id}/timeline/{eventId}/annotation', { params: { path }, body: { ...body, expectedVersion: e.version } }));
  const manual = e.origin === 'manual';
  const saveNote = async (ev: FormEvent) => {
    ev.preventDefault();
    if (await annotate('Note saved', { note: note.trim() || null })) setNoteOpen(false);
  };
  const hide = async (ev: FormEvent) => {
    ev.preventDefault();
    if (await annotate('Event hidden (left out of the report)', { hidden: true, hiddenReason: reason.trim() })) setHiding(false);
  };
  const id = eventAnchor(e.id);
  return (
    <li id={id} className={`event${e.keyMoment ? ' key' : ''}${e.hidden ? ' hidden-event' : ''}`} aria-label={`${when(e.at)} ${e.title}`}>
      <div className="event-head">
        <time dateTime={e.at} className="nowrap">{when(e.at)}</time>
        {editable ? (
          <select aria-label={`Phase of ${e.title}`} value={e.phase ?? ''} onChange={(ev) => void annotate('Phase saved', { phase: responsePhases.find((p) => p === ev.target.value) ?? null })}>
            <option value="">no phase</option>
            {responsePhases.map((p) => <option key={p}>{p}</option>)}
          </select>
        ) : e.phase ? <Badge value={e.phase} /> : null}
        {editable ? (
          <label className="key-toggle"><input type="checkbox" aria-label={`Key moment: ${e.title}`} checked={e.keyMoment} onChange={(ev) => void annotate('Key moment saved', { keyMoment: ev.target.checked })} /> Key moment</label>
        ) : e.keyMoment ? <span className="badge b-key">★ key moment</span> : null}
        <strong className="event-title">{e.title}</strong>
        <span className="muted small">{e.kind}{e.actor ? ` · ${e.actor}` : ''}{manual ? ' · added by the team' : ''}</span>
      </div>
      {e.detail && (
        <details className="event-detail" open={e.kind === 'comment' || e.kind === 'evidence' || manual}>
          <summary>{e.kind === 'comment' ? 'Comment' : 'Detail'}</summary>
          <pre className="detail-text">{e.detail}</pre>
        </details>
      )}
      <div className="event-links small">
        {e.techniques.length > 0 && <span>Techniques: {e.techniques.join(', ')}</span>}
        {e.alertId && <button type="button" className="link" onClick={() => focusElement(`alert-${e.alertId}`)}>Alert {e.alertId}</button>}
        {entities.length > 0 && <span>Entities: {entities.slice(0, 6).map((x) => <button key={`${x.kind}:${x.key}`} type="button" className="link" onClick={() => focusElement(entityAnchor(x))}>{x.displayName}</button>)}{entities.length > 6 ? ` +${entities.length - 6}` : ''}</span>}
        {e.evidence.length > 0 && <span>Evidence: {e.evidence.join('; ')}</span>}
      </div>
      {e.hidden && <p className="small hidden-reason">Hidden from the report: {e.hiddenReason}</p>}
      {e.note && !noteOpen && <p className="event-note"><span className="muted small">Note:</span> {e.note}</p>}
      {editable && (
        <div className="event-actions">
          {!manual && <button type="button" className="link" onClick={() => { setNote(e.note ?? ''); setNoteOpen(!noteOpen); }} aria-expanded={noteOpen}>{e.note ? 'Edit note' : 'Add note'}</button>}
          {!manual && (e.hidden
            ? <button type="button" className="link" onClick={() => void annotate('Event shown again (back in the report)', { hidden: false, hiddenReason: null })}>Show in report</button>
            : <button type="button" className="link" onClick={() => setHiding(!hiding)} aria-expanded={hiding}>Hide as noise…</button>)}
          {manual && <button type="button" className="link danger" aria-label={`Delete event ${e.title}`} onClick={() => window.confirm(`Delete the event “${e.title}”? The deletion is recorded in the history.`) && void run('Event deleted', () => api.DELETE('/api/incidents/{id}/timeline/{eventId}', { params: { path, query: { expectedVersion: e.version } } }))}>Delete</button>}
        </div>
      )}
      {noteOpen && (
        <form className="row" onSubmit={(ev) => void saveNote(ev)}>
          <label htmlFor={`${id}-note`} className="sr-only">Note on {e.title}</label>
          <textarea id={`${id}-note`} rows={2} value={note} onChange={(ev) => setNote(ev.target.value)} />
          <button type="submit" className="primary">Save note</button>
          <button type="button" onClick={() => setNoteOpen(false)}>Cancel</button>
        </form>
      )}
      {hiding && (
        <form className="row" onSubmit={(ev) => void hide(ev)}>
          <label htmlFor={`${id}-hide`}>Why is it noise?</label>
          <input id={`${id}-hide`} value={reason} onChange={(ev) => setReason(ev.target.value)} required />
          <button type="submit" className="primary">Hide</button>
          <button type="button" onClick={() => setHiding(false)}>Cancel</button>
        </form>
      )}
    </li>
  );
}

function AddEvent({ parts }: { parts: ReviewParts }) {
  const { responsePhases } = useLifecycle();
  const [at, setAt] = useState('');
  const [title, setTitle] = useState('');
  const [detail, setDetail] = useState('');
  const [phase, setPhase] = useState<Phase | null>(null);
  const [key, setKey] = useState(false);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const iso = new Date(`${at}Z`).toISOString();
    if (await parts.run('Event added to the timeline', () => api.POST('/api/incidents/{id}/timeline', { params: { path: { id: parts.incidentId } }, body: { at: iso, title, detail: detail.trim() || null, phase, keyMoment: key } }))) {
      setTitle('');
      setDetail('');
      setKey(false);
    }
  };
  return (
    <form className="row add" onSubmit={(e) => void add(e)} aria-label="Add a timeline event">
      <div className="field"><label htmlFor="ne-at">When (UTC)</label><input id="ne-at" type="datetime-local" step="1" value={at} onChange={(e) => setAt(e.target.value)} required /></div>
      <div className="field grow"><label htmlFor="ne-title">New event</label><input id="ne-title" value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
      <div className="field grow"><label htmlFor="ne-detail">Detail</label><input id="ne-detail" value={detail} onChange={(e) => setDetail(e.target.value)} /></div>
      <div className="field"><label htmlFor="ne-phase">Phase</label><select id="ne-phase" value={phase ?? ''} onChange={(e) => setPhase(responsePhases.find((p) => p === e.target.value) ?? null)}><option value="">—</option>{responsePhases.map((p) => <option key={p}>{p}</option>)}</select></div>
      <div className="field check"><input id="ne-key" type="checkbox" checked={key} onChange={(e) => setKey(e.target.checked)} /><label htmlFor="ne-key">Key moment</label></div>
      <button type="submit" className="primary">Add event</button>
    </form>
  );
}
