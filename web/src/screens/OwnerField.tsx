import { api, dataOf } from '../api';
import { useApi } from './common';

/**
 * Who owns a piece of work: a user of Hindsight (suggested from GET /api/people) or the e-mail
 * address of someone outside the tool; the server refuses anything else.
 */
export function OwnerField({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (v: string) => void }) {
  const { data } = useApi(() => dataOf(api.GET('/api/people')), 'people');
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} list={`${id}-people`} value={value} onChange={(e) => onChange(e.target.value)} placeholder="user or e-mail" autoComplete="off" size={16} />
      <datalist id={`${id}-people`}>
        {data?.people.map((p) => <option key={p.username} value={p.username}>{[p.displayName, p.email].filter(Boolean).join(' · ')}</option>)}
      </datalist>
    </>
  );
}
