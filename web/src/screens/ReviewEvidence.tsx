import { Badge, when } from './common';
import { entityAnchor, eventAnchor, focusElement, isReviewEvent, type ReviewAlert, type ReviewEntity, type ReviewEvent } from './reviewTypes';
import type { ReviewReport } from '../api';

function EventLinks({ events, label }: { events: ReviewEvent[]; label: string }) {
  if (events.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="inline-list" aria-label={label}>
      {events.slice(0, 8).map((ev) => (
        <li key={ev.id}><button type="button" className="link" onClick={() => focusElement(eventAnchor(ev.id))}>{when(ev.at)} {ev.title.length > 48 ? `${ev.title.slice(0, 47)}…` : ev.title}</button></li>
      ))}
      {events.length > 8 && <li className="muted">+{events.length - 8} more</li>}
    </ul>
  );
}

/** The incident's alerts with their techniques, their evidence (the entities they carry) and their events. */
export function Alerts({ alerts, entities, events }: { alerts: ReviewAlert[]; entities: ReviewEntity[]; events: ReviewReport['timeline'] }) {
  const timeline = events.filter(isReviewEvent);
  return (
    <section className="panel" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts <span className="muted small">{alerts.length}</span></h2>
      <table className="grid alerts">
        <caption className="sr-only">Alerts of the incident, with their evidence and events</caption>
        <thead><tr><th scope="col">First activity (UTC)</th><th scope="col">Alert</th><th scope="col">Severity</th><th scope="col">Techniques</th><th scope="col">Evidence</th><th scope="col">Events</th></tr></thead>
        <tbody>
          {alerts.map((a) => {
            const evidence = entities.filter((e) => e.alertIds.includes(a.id));
            return (
              <tr key={a.id} id={`alert-${a.id}`}>
                <td className="nowrap">{when(a.firstActivityAt ?? a.createdAt)}</td>
                <td>
                  <strong>{a.title}</strong>
                  <div className="muted small">{a.status}{a.classification ? ` · ${a.classification}` : ''}{a.detectionSource ? ` · ${a.detectionSource}` : ''} · {a.id}</div>
                </td>
                <td><Badge value={a.severity} /></td>
                <td className="small">{a.techniques.join(', ') || '—'}</td>
                <td className="small">
                  {evidence.length === 0 ? '—' : (
                    <ul className="evidence">
                      {evidence.map((e) => (
                        <li key={`${e.kind}:${e.key}`}>
                          <span className="muted">{e.kind}</span> <span className="break">{e.displayName}</span>
                          {e.verdicts.length > 0 && <span className="muted"> ({e.verdicts.join(', ')})</span>}
                          {Object.entries(e.highlights).slice(0, 3).map(([k, v]) => <div key={k} className="highlight"><span className="muted">{k}:</span> <code className="break">{v}</code></div>)}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td className="small"><EventLinks events={timeline.filter((ev) => ev.alertId === a.id)} label={`Events of alert ${a.title}`} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The entities involved, each linked to the timeline events it appears in (through its alerts). */
export function Entities({ entities, events }: { entities: ReviewEntity[]; events: ReviewReport['timeline'] }) {
  const timeline = events.filter(isReviewEvent);
  return (
    <section className="panel" aria-labelledby="entities-title">
      <h2 id="entities-title">Entities <span className="muted small">{entities.length}</span></h2>
      <table className="grid">
        <caption className="sr-only">Entities involved, with the events they appear in</caption>
        <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Roles</th><th scope="col">Verdicts</th><th scope="col" className="num">Alerts</th><th scope="col">Events</th></tr></thead>
        <tbody>
          {entities.map((e) => (
            <tr key={`${e.kind}:${e.key}`} id={entityAnchor(e)}>
              <td>{e.kind}</td>
              <td className="break">{e.displayName}{Object.entries(e.highlights).slice(0, 2).map(([k, v]) => <div key={k} className="muted small"><span>{k}:</span> <code className="break">{v}</code></div>)}</td>
              <td>{e.roles.join(', ')}</td>
              <td>{e.verdicts.join(', ')}</td>
              <td className="num">{e.alertIds.length}</td>
              <td className="small"><EventLinks events={timeline.filter((ev) => ev.alertId !== null && e.alertIds.includes(ev.alertId))} label={`Events of ${e.displayName}`} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
