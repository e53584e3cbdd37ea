import { useState } from 'react';
import { api, dataOf, type ActionItem } from '../api';
import { Badge, ErrorNote, useApi, useLifecycle } from './common';

type StatusFilter = ActionItem['status'] | '';

export function ActionItems() {
  const [overdue, setOverdue] = useState(false);
  const [status, setStatus] = useState<StatusFilter>('');
  const [owner, setOwner] = useState('');
  const { actionItems: vocabulary } = useLifecycle();
  const query = { ...(overdue ? { overdue: 'true' as const } : {}), ...(status ? { status } : {}), ...(owner ? { owner } : {}) };
  const { data, error } = useApi(() => dataOf(api.GET('/api/action-items', { params: { query } })), JSON.stringify(query));
  return (
    <section aria-labelledby="actions-title">
      <h1 id="actions-title">Action items across incidents</h1>
      <form className="filters" aria-label="Filter action items" onSubmit={(e) => e.preventDefault()}>
        <div className="field"><label htmlFor="a-status">Status</label>
          <select id="a-status" value={status} onChange={(e) => setStatus(vocabulary.statuses.find((s) => s === e.target.value) ?? '')}>
            <option value="">Any</option>
            {vocabulary.statuses.map((s) => <option key={s}>{s}</option>)}
          </select>
        </div>
        <div className="field"><label htmlFor="a-owner">Owner</label><input id="a-owner" value={owner} onChange={(e) => setOwner(e.target.value)} /></div>
        <div className="field check"><input id="a-overdue" type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} /><label htmlFor="a-overdue">Overdue only</label></div>
      </form>
      <ErrorNote error={error} />
      <p className="muted" aria-live="polite">{data ? `${data.actionItems.length} item(s), ${data.actionItems.filter((a) => a.overdue).length} overdue` : 'Loading…'}</p>
      <table className="grid">
        <caption className="sr-only">Action items</caption>
        <thead><tr><th scope="col">Action</th><th scope="col">Type</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Priority</th><th scope="col">Status</th><th scope="col">Incident</th></tr></thead>
        <tbody>
          {data?.actionItems.map((a) => (
            <tr key={a.id} className={a.overdue ? 'overdue' : undefined}>
              <td>{a.title}</td>
              <td>{a.type}</td>
              <td>{a.owner ?? <span className="muted">unassigned</span>}</td>
              <td className="nowrap">{a.dueDate ?? '—'}{a.overdue && <> <Badge value="overdue" /></>}</td>
              <td><Badge value={a.priority} /></td>
              <td><Badge value={a.status} kind="state" /></td>
              <td><a href={`#/incidents/${encodeURIComponent(a.incidentId)}`}>{a.incidentId}</a></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
