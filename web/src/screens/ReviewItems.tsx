import { useState, type FormEvent } from 'react';
import { api, type ActionItem, type Finding } from '../api';
import { Badge, useLifecycle } from './common';
import type { Run } from './ReviewTransitions';

type Category = Finding['category'];
type Severity = Finding['severity'];
type ActionType = ActionItem['type'];
type ActionStatus = ActionItem['status'];

/** Pick the value a select chose from the list it offered. */
function chosen<T extends string>(options: readonly T[], value: string, fallback: T): T {
  return options.find((o) => o === value) ?? fallback;
}

export function Findings({ findings, editable, incidentId, run }: { findings: Finding[]; editable: boolean; incidentId: string; run: Run }) {
  const { findings: vocabulary } = useLifecycle();
  const categories = vocabulary.categories.map((c) => c.id);
  const [category, setCategory] = useState<Category>(categories[0] ?? 'technical-lapse');
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<Severity>('medium');
  const [editing, setEditing] = useState<string | null>(null);
  const [editTitle, setEditTitle] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await run('Finding added', () => api.POST('/api/incidents/{id}/findings', { params: { path: { id: incidentId } }, body: { category, title, severity } }))) setTitle('');
  };
  const save = (f: Finding) => api.PATCH('/api/findings/{id}', { params: { path: { id: f.id } }, body: { title: editTitle, expectedVersion: f.version } });
  return (
    <section className="panel" aria-labelledby="findings-title">
      <h2 id="findings-title">Findings <span className="muted small">{findings.length}</span></h2>
      <ul className="items">
        {findings.map((f) => (
          <li key={f.id}>
            {editing === f.id ? (
              <form className="row" onSubmit={(e) => { e.preventDefault(); void run('Finding saved', () => save(f)).then(() => setEditing(null)); }}>
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
          <div className="field"><label htmlFor="nf-category">Category</label><select id="nf-category" value={category} onChange={(e) => setCategory(chosen(categories, e.target.value, category))}>{vocabulary.categories.map((c) => <option key={c.id} value={c.id}>{c.id}</option>)}</select></div>
          <div className="field grow"><label htmlFor="nf-title">New finding</label><input id="nf-title" value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
          <div className="field"><label htmlFor="nf-severity">Severity</label><select id="nf-severity" value={severity} onChange={(e) => setSeverity(chosen(vocabulary.severities, e.target.value, severity))}>{vocabulary.severities.map((c) => <option key={c}>{c}</option>)}</select></div>
          <button type="submit" className="primary">Add finding</button>
        </form>
      )}
    </section>
  );
}

/** What moving an action item to a status needs besides the status (a reason, a verification). */
function moveDetails(status: ActionStatus): { reason?: string; verificationMethod?: string; verificationEvidence?: string } {
  if (status === 'wont-do') return { reason: 'decided in the review' };
  if (status === 'verified') return { verificationMethod: 'checked in the review', verificationEvidence: 'see the review' };
  return {};
}

/**
 * The incident's action items. `editable`: new ones may be added (the review's content is
 * editable); `movable`: their status may change, to the statuses the lifecycle allows from each.
 */
export function Actions({ actions, findings, editable, movable, incidentId, run }: { actions: ActionItem[]; findings: Finding[]; editable: boolean; movable: boolean; incidentId: string; run: Run }) {
  const { actionItems: vocabulary } = useLifecycle();
  const [type, setType] = useState<ActionType>('fix');
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const [finding, setFinding] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await run('Action item added', () => api.POST('/api/incidents/{id}/action-items', { params: { path: { id: incidentId } }, body: { type, title, owner: owner || null, dueDate: due || null, findingId: finding || null } }))) {
      setTitle('');
      setOwner('');
      setDue('');
    }
  };
  const movesFrom = (status: ActionStatus) => [status, ...(vocabulary.moves.find((m) => m.from === status)?.to ?? [])];
  const move = (a: ActionItem, value: string) => {
    const status = chosen(vocabulary.statuses, value, a.status);
    return api.POST('/api/action-items/{id}/status', { params: { path: { id: a.id } }, body: { status, expectedVersion: a.version, ...moveDetails(status) } });
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
                {movable && movesFrom(a.status).length > 1 ? (
                  <select aria-label={`Status of ${a.title}`} value={a.status} onChange={(e) => void run('Status saved', () => move(a, e.target.value))}>
                    {movesFrom(a.status).map((s) => <option key={s}>{s}</option>)}
                  </select>
                ) : <Badge value={a.status} kind="state" />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editable && (
        <form className="row add" onSubmit={(e) => void add(e)} aria-label="Add an action item">
          <div className="field"><label htmlFor="na-type">Type</label><select id="na-type" value={type} onChange={(e) => setType(chosen(vocabulary.types, e.target.value, type))}>{vocabulary.types.map((c) => <option key={c}>{c}</option>)}</select></div>
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
