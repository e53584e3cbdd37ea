import { useState, type FormEvent } from 'react';
import { api, type ActionItem, type Finding } from '../api';
import { Badge, useLifecycle } from './common';
import { PersonPicker } from './PersonPicker';
import { chosen } from './ReviewItems';
import type { ReviewParts } from './reviewTypes';

type ActionType = ActionItem['type'];
type ActionStatus = ActionItem['status'];

/** What moving an action item to a status needs besides the status (a reason, a verification). */
export function moveDetails(status: ActionStatus): { reason?: string; verificationMethod?: string; verificationEvidence?: string } {
  if (status === 'wont-do') return { reason: 'decided in the review' };
  if (status === 'verified') return { verificationMethod: 'checked in the review', verificationEvidence: 'see the review' };
  return {};
}

/** The statuses an item may take next (its own first), as the lifecycle allows. */
export function useMoves(): (status: ActionStatus) => ActionStatus[] {
  const { actionItems } = useLifecycle();
  return (status) => [status, ...(actionItems.moves.find((m) => m.from === status)?.to ?? [])];
}

/**
 * The incident's action items. New ones are added and items deleted while the review's content is
 * editable; `movable`: their status may change (in any state), to the statuses the lifecycle allows.
 */
export function Actions({ actions, findings, movable, parts }: { actions: ActionItem[]; findings: Finding[]; movable: boolean; parts: ReviewParts }) {
  const { actionItems: vocabulary } = useLifecycle();
  const movesFrom = useMoves();
  const { incidentId, editable, run } = parts;
  const [type, setType] = useState<ActionType>('fix');
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const [finding, setFinding] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await run('Action item added', () => api.POST('/api/incidents/{id}/action-items', { params: { path: { id: incidentId } }, body: { type, title, owner: owner.trim() || null, dueDate: due || null, findingId: finding || null } }))) {
      setTitle('');
      setOwner('');
      setDue('');
    }
  };
  const move = (a: ActionItem, value: string) => {
    const status = chosen(vocabulary.statuses, value, a.status);
    return api.POST('/api/action-items/{id}/status', { params: { path: { id: a.id } }, body: { status, expectedVersion: a.version, ...moveDetails(status) } });
  };
  const remove = (a: ActionItem) => {
    if (!window.confirm(`Delete the action item “${a.title}”? The deletion is recorded in the history.`)) return;
    void run('Action item deleted', () => api.DELETE('/api/action-items/{id}', { params: { path: { id: a.id }, query: { expectedVersion: a.version } } }));
  };
  return (
    <section className="panel" aria-labelledby="actions-h">
      <h2 id="actions-h">Action items <span className="muted small">{actions.length}</span></h2>
      <table className="grid">
        <caption className="sr-only">Action items of this incident</caption>
        <thead><tr><th scope="col">Action</th><th scope="col">Type</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Finding</th><th scope="col">Status</th>{editable && <th scope="col"><span className="sr-only">Delete</span></th>}</tr></thead>
        <tbody>
          {actions.map((a) => (
            <tr key={a.id} className={a.overdue ? 'overdue' : undefined}>
              <td>{a.title}{a.externalUrl && <> <a href={a.externalUrl} target="_blank" rel="noreferrer noopener" className="small">{a.externalKey ?? 'tracker'}</a></>}</td>
              <td>{a.type}</td>
              <td>{a.owner ?? <span className="muted">unassigned</span>}</td>
              <td className="nowrap">{a.dueDate ?? '—'}{a.overdue && <> <Badge value="overdue" /></>}</td>
              <td className="small">{findings.find((f) => f.id === a.findingId)?.title ?? '—'}</td>
              <td>
                {movable && movesFrom(a.status).length > 1 ? (
                  <select aria-label={`Status of ${a.title}`} value={a.status} onChange={(e) => void run('Status saved', () => move(a, e.target.value))}>
                    {movesFrom(a.status).map((s) => <option key={s}>{s}</option>)}
                  </select>
                ) : <Badge value={a.status} kind="state" />}
              </td>
              {editable && <td><button type="button" className="link danger" onClick={() => remove(a)} aria-label={`Delete action item ${a.title}`}>Delete</button></td>}
            </tr>
          ))}
        </tbody>
      </table>
      {editable && (
        <form className="row add" onSubmit={(e) => void add(e)} aria-label="Add an action item">
          <div className="field"><label htmlFor="na-type">Type</label><select id="na-type" value={type} onChange={(e) => setType(chosen(vocabulary.types, e.target.value, type))}>{vocabulary.types.map((c) => <option key={c}>{c}</option>)}</select></div>
          <div className="field grow"><label htmlFor="na-title">New action item</label><input id="na-title" value={title} onChange={(e) => setTitle(e.target.value)} required /></div>
          <PersonPicker id="na-owner" label="Owner" value={owner} onChange={setOwner} />
          <div className="field"><label htmlFor="na-due">Due</label><input id="na-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} /></div>
          <div className="field"><label htmlFor="na-finding">Finding</label><select id="na-finding" value={finding} onChange={(e) => setFinding(e.target.value)}><option value="">—</option>{findings.map((f) => <option key={f.id} value={f.id}>{f.title.slice(0, 40)}</option>)}</select></div>
          <button type="submit" className="primary">Add action</button>
        </form>
      )}
    </section>
  );
}
