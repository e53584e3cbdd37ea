import { useEffect, useState } from 'react';
import { api, ApiError, dataOf, type Schemas } from '../api';
import { Badge, describeError, ErrorNote, Status, useApi, useLifecycle } from './common';
import { moveDetails, useMoves } from './ReviewActions';

type Listed = Schemas['ListedActionItem'];
type StatusFilter = Listed['status'] | '';
type SortKey = 'due' | 'priority' | 'status' | 'owner' | 'title' | 'incident';
type View = 'all' | 'open' | 'overdue' | 'due-soon';

const VIEWS: [View, string][] = [
  ['open', 'Open'],
  ['overdue', 'Overdue'],
  ['due-soon', 'Due in 14 days'],
  ['all', 'All'],
];
const COLUMNS: [SortKey | null, string][] = [
  ['title', 'Action'],
  [null, 'Type'],
  ['owner', 'Owner'],
  ['due', 'Due'],
  ['priority', 'Priority'],
  ['status', 'Status'],
  ['incident', 'Incident'],
];
const DUE_SOON_DAYS = 14;

/**
 * Action items across incidents: views for open, overdue and due-soon work, fuzzy search on owner
 * and title, order by any column, status changed in place, and the same list as a CSV file.
 */
export function ActionItems({ canMove }: { canMove: boolean }) {
  const { actionItems: vocabulary } = useLifecycle();
  const movesFrom = useMoves();
  const [view, setView] = useState<View>('open');
  const [status, setStatus] = useState<StatusFilter>('');
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'due', desc: false });
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setSearch(typed.trim()), 250);
    return () => clearTimeout(t);
  }, [typed]);

  const openStatuses = vocabulary.statuses.filter((s) => s === 'open' || s === 'in-progress');
  const query = {
    ...(view === 'overdue' ? { overdue: 'true' as const } : {}),
    ...(view === 'due-soon' ? { dueSoon: DUE_SOON_DAYS } : {}),
    ...(status ? { status } : view === 'open' ? { status: openStatuses.join(',') } : {}),
    ...(search ? { q: search } : {}),
    sort: sort.key,
    order: sort.desc ? ('desc' as const) : ('asc' as const),
  };
  const { data, error, reload } = useApi(async () => {
    const d = await dataOf(api.GET('/api/action-items', { params: { query } }));
    if (typeof d === 'string') throw new ApiError(500, 'unexpected', 'the server answered CSV to a JSON request');
    return d.actionItems;
  }, JSON.stringify(query));
  const csv = `/api/action-items?${new URLSearchParams(Object.entries({ ...query, format: 'csv' }).map(([k, v]) => [k, String(v)])).toString()}`;

  const move = async (a: Listed, value: string) => {
    const next = vocabulary.statuses.find((s) => s === value);
    if (!next) return;
    setMessage(null);
    setFailure(null);
    try {
      await api.POST('/api/action-items/{id}/status', { params: { path: { id: a.id } }, body: { status: next, expectedVersion: a.version, ...moveDetails(next) } });
      setMessage(`“${a.title}” is ${next}`);
    } catch (e) {
      setFailure(describeError(e));
    }
    reload();
  };
  const sortBy = (key: SortKey) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }));
  const items = data ?? [];
  return (
    <section aria-labelledby="actions-title">
      <div className="title-row">
        <h1 id="actions-title">Action items across incidents</h1>
        <div className="actions"><a className="button" href={csv} download>Export CSV</a></div>
      </div>
      <div className="layer-tabs" role="group" aria-label="View">
        {VIEWS.map(([key, label]) => <button key={key} type="button" aria-pressed={view === key} className={view === key ? 'on' : undefined} onClick={() => setView(key)}>{label}</button>)}
      </div>
      <form className="filters" aria-label="Filter action items" onSubmit={(e) => e.preventDefault()}>
        <div className="field grow"><label htmlFor="a-search">Search owner or title</label><input id="a-search" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="e.g. alice vpn" /></div>
        <div className="field"><label htmlFor="a-status">Status</label>
          <select id="a-status" value={status} onChange={(e) => setStatus(vocabulary.statuses.find((s) => s === e.target.value) ?? '')}>
            <option value="">{view === 'open' ? 'open or in progress' : 'any'}</option>
            {vocabulary.statuses.map((s) => <option key={s}>{s}</option>)}
          </select>
        </div>
      </form>
      <ErrorNote error={error} />
      <Status message={message} error={failure} />
      <p className="muted" aria-live="polite">{data ? `${items.length} item(s), ${items.filter((a) => a.overdue).length} overdue` : 'Loading…'}</p>
      <table className="grid">
        <caption className="sr-only">Action items, ordered by {sort.key}{sort.desc ? ', descending' : ''}</caption>
        <thead>
          <tr>
            {COLUMNS.map(([key, label]) => (
              <th key={label} scope="col" aria-sort={key && sort.key === key ? (sort.desc ? 'descending' : 'ascending') : undefined}>
                {key ? <button type="button" className="sort" onClick={() => sortBy(key)}>{label}<span aria-hidden="true">{sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}</span></button> : label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id} className={a.overdue ? 'overdue' : undefined}>
              <td>{a.title}</td>
              <td>{a.type}</td>
              <td>{a.owner ?? <span className="muted">unassigned</span>}</td>
              <td className="nowrap">{a.dueDate ?? '—'}{a.overdue && <> <Badge value="overdue" /></>}</td>
              <td><Badge value={a.priority} /></td>
              <td>
                {canMove && movesFrom(a.status).length > 1 ? (
                  <select aria-label={`Status of ${a.title}`} value={a.status} onChange={(e) => void move(a, e.target.value)}>
                    {movesFrom(a.status).map((s) => <option key={s}>{s}</option>)}
                  </select>
                ) : <Badge value={a.status} kind="state" />}
              </td>
              <td><a href={`#/incidents/${encodeURIComponent(a.incidentId)}`}>{a.incidentTitle}</a></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
