import { api, dataOf, type Schemas } from '../api';
import { Badge, ErrorNote, useApi, when } from './common';

type Work = Schemas['MyWork'];

/** "My work": everything waiting on the signed-in person across incidents, overdue first. */
export function MyWork() {
  const { data, error, reload } = useApi(() => dataOf(api.GET('/api/my-work')), 'my-work');
  if (error) return <ErrorNote error={error} />;
  if (!data) return <p className="muted" role="status">Loading your work…</p>;
  const total = data.reviews.length + data.tasks.length + data.actionItems.length;
  return (
    <section aria-labelledby="my-work-title" className="my-work">
      <div className="title-row">
        <h1 id="my-work-title">My work</h1>
        <button type="button" onClick={reload}>Refresh</button>
      </div>
      <p className="meta">
        {data.user}
        {data.email ? ` · ${data.email}` : ' · no e-mail address on file: ask an admin to add one so reminders reach you'} · {total} item(s){data.overdue > 0 && <>, <strong>{data.overdue} overdue</strong></>}
      </p>
      {total === 0 && <p className="ok">Nothing is waiting on you.</p>}
      {data.reviews.length > 0 && (
        <section className="panel" aria-labelledby="mw-reviews">
          <h2 id="mw-reviews">Reviews waiting on you</h2>
          <table className="grid">
            <caption className="sr-only">Reviews waiting on you</caption>
            <thead><tr><th scope="col">Incident</th><th scope="col">State</th><th scope="col">What to do</th><th scope="col">Since</th></tr></thead>
            <tbody>
              {data.reviews.map((r) => (
                <tr key={r.incidentId}>
                  <td><IncidentLink id={r.incidentId} title={r.incidentTitle} /></td>
                  <td><Badge value={r.state} kind="state" /></td>
                  <td>{r.reason}</td>
                  <td>{when(r.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <WorkTable title="Tasks" id="mw-tasks" rows={data.tasks} anchor="tasks-title" />
      <WorkTable title="Action items" id="mw-actions" rows={data.actionItems} anchor="actions-h" />
    </section>
  );
}

function IncidentLink({ id, title, anchor }: { id: string; title: string; anchor?: string }) {
  return <a href={`#/incidents/${encodeURIComponent(id)}`} data-focus={anchor}>{title}</a>;
}

function WorkTable({ title, id, rows, anchor }: { title: string; id: string; rows: (Work['tasks'][number] & { priority?: string })[]; anchor: string }) {
  if (rows.length === 0) return null;
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title} <span className="muted small">{rows.length} open, {rows.filter((r) => r.overdue).length} overdue</span></h2>
      <table className="grid">
        <caption className="sr-only">{title} assigned to you</caption>
        <thead><tr><th scope="col">{title === 'Tasks' ? 'Task' : 'Action item'}</th><th scope="col">Incident</th><th scope="col">Due</th><th scope="col">Status</th>{rows.some((r) => r.priority) && <th scope="col">Priority</th>}</tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className={r.overdue ? 'overdue' : undefined}>
              <td>{r.title}</td>
              <td><IncidentLink id={r.incidentId} title={r.incidentTitle} anchor={anchor} /></td>
              <td>{r.dueDate ?? '—'} {r.overdue && <Badge value="overdue" kind="warn" />}</td>
              <td><Badge value={r.status} /></td>
              {rows.some((x) => x.priority) && <td>{r.priority ?? ''}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
