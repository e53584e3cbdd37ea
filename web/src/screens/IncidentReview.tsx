import { useMemo, useState } from 'react';
import { can, type User } from '../api';
import { Badge, describeError, ErrorNote, Status, useApi, useLifecycle, when } from './common';
import { MatrixGrid } from './MatrixGrid';
import { Actions } from './ReviewActions';
import { Alerts, Entities } from './ReviewEvidence';
import { History } from './ReviewHistory';
import { Findings } from './ReviewItems';
import { Questions, Sections } from './ReviewSections';
import { Timeline } from './ReviewTimeline';
import { ReviewTasks } from './ReviewTasks';
import { ReviewTransitions } from './ReviewTransitions';
import { fetchDetail, focusElement, type ReviewParts } from './reviewTypes';
import { ShareExports } from './ShareExports';
import { ReviewObservables } from './ReviewObservables';
import { ProbablyAlsoHappened } from './ProbablyAlsoHappened';

const PARTS: [string, string][] = [
  ['state-title', 'Review'],
  ['summary-title', 'Sections'],
  ['timeline-title', 'Timeline'],
  ['alerts-title', 'Alerts'],
  ['tech-title-h', 'Techniques'],
  ['entities-title', 'Entities'],
  ['findings-title', 'Findings'],
  ['actions-h', 'Action items'],
  ['tasks-title', 'Tasks'],
  ['questions-title', 'Lessons learned'],
  ['history-title', 'History'],
];

/** The review of one incident: everything its report holds, editable while the lifecycle allows. */
export function IncidentReview({ incidentId, user }: { incidentId: string; user: User }) {
  const base = `/api/incidents/${encodeURIComponent(incidentId)}`;
  const lifecycle = useLifecycle();
  const { data, error, reload } = useApi(() => fetchDetail(incidentId), incidentId);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [historyTick, setHistoryTick] = useState(0);
  const analyst = can(lifecycle.roles, user.role, 'analyst');

  const saved = (what: string) => {
    setFailure(null);
    setMessage(what);
    setHistoryTick((t) => t + 1);
    reload();
  };
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setFailure(null);
    setMessage(null);
    try {
      await fn();
      saved(what);
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
  const locked = analyst && !editable;
  const parts: ReviewParts = { incidentId, editable, run, fetchLatest: () => fetchDetail(incidentId), saved };

  return (
    <article aria-labelledby="review-title" className="review">
      <p><a href="#/incidents">← Incidents</a></p>
      <div className="title-row">
        <h1 id="review-title">{r.incident.title}</h1>
        <div className="actions">
          <a className="button" href={`#/incidents/${encodeURIComponent(incidentId)}/attribution`}>Attribution</a>
          {(['md', 'html', 'pdf', 'json'] as const).map((f) => <a key={f} className="button" href={`${base}/report?format=${f}`} download aria-label={`Download the report as ${f.toUpperCase()}`}>{f.toUpperCase()}</a>)}
        </div>
      </div>
      <p className="meta">
        <Badge value={r.incident.severity} /> <span>{r.incident.status}</span> · <span>{r.incident.source}:{r.incident.sourceId}</span> · created {when(r.incident.createdAt)} · {r.incident.alertCount} alert(s)
        {data.restrictedTo.length > 0 && <> · <strong>restricted</strong> to {data.restrictedTo.join(', ')}</>}
      </p>
      {r.incident.description && <p className="prose incident-description">{r.incident.description}</p>}

      <nav className="subnav" aria-label="Parts of the review">
        <ul>{PARTS.map(([id, label]) => <li key={id}><a href={`#${id}`} onClick={(e) => { e.preventDefault(); focusElement(id); }}>{label}</a></li>)}</ul>
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
        {locked && (
          <p className="locked-note" role="note">
            This review is {state}: its content is locked and shown read-only. {can(lifecycle.roles, user.role, 'reviewer') ? 'Reopen it to change anything.' : 'A reviewer can reopen it.'} Action items can still move.
          </p>
        )}
        <ReviewTransitions incidentId={incidentId} state={state} role={user.role} complete={Boolean(completeness?.complete)} version={data.review.version} run={run} />
        {!analyst && <p className="muted small">You have read access ({user.role}).</p>}
        <Status message={message} error={failure} />
      </section>

      <Sections sections={r.sections ?? []} summary={r.summary} parts={parts} />
      <Timeline events={r.timeline} entities={r.entities} parts={parts} />
      <Alerts alerts={r.alerts} entities={r.entities} events={r.timeline} />
      <ShareExports incidentId={incidentId} />

      <section className="panel" aria-labelledby="tech-title-h">
        <h2 id="tech-title-h">Techniques on the ATT&CK matrix <span className="muted small">ATT&CK {r.techniques.attackVersion}, {r.techniques.techniqueIds.length} technique(s)</span></h2>
        <MatrixGrid scores={incidentScores} label="Techniques of this incident on the ATT&CK matrix" onlyScored />
      </section>

      <ProbablyAlsoHappened incidentId={incidentId} canDecide={analyst} onChange={reload} />
      <Entities entities={r.entities} events={r.timeline} />
      <ReviewObservables incidentId={incidentId} editable={analyst} />
      <Findings findings={r.findings ?? []} events={r.timeline} techniques={r.techniques.techniqueIds} parts={parts} />
      <Actions actions={r.actions ?? []} findings={r.findings ?? []} movable={analyst} parts={parts} />
      <ReviewTasks incidentId={incidentId} tasks={r.tasks ?? []} template={r.template ?? null} editable={editable} canEdit={analyst} run={run} />
      <Questions questions={r.questions ?? []} parts={parts} />
      <History incidentId={incidentId} tick={historyTick} findings={r.findings ?? []} actions={r.actions ?? []} />
    </article>
  );
}
