import { useState, type FormEvent } from 'react';
import { api, can, type ReviewLifecycle, type Role } from '../api';
import { useLifecycle } from './common';

type TransitionName = ReviewLifecycle['transitions'][number]['name'];
type Sufficiency = ReviewLifecycle['sufficiency'][number];
export type Run = (what: string, fn: () => Promise<unknown>) => Promise<boolean>;

/** The transitions this screen offers, with their labels; those that ask for a reason or a verdict open a form first. */
const OFFERED: Partial<Record<TransitionName, { label: string; form: boolean; primary?: boolean }>> = {
  start: { label: 'Start draft', form: false },
  submit: { label: 'Submit for review', form: false, primary: true },
  approve: { label: 'Approve…', form: true, primary: true },
  return: { label: 'Return to draft…', form: true },
  waive: { label: 'Waive…', form: true },
  reopen: { label: 'Reopen', form: false, primary: true },
  require: { label: 'Require a review…', form: true },
  close: { label: 'Close the incident…', form: true },
};
/** Transitions whose reason may be left empty. */
const REASON_OPTIONAL: readonly TransitionName[] = ['require', 'close'];

/**
 * The review's moves: exactly those the server's state machine allows from the current state to
 * the user's role (GET /api/review/lifecycle), never a copy of its rules.
 */
export function ReviewTransitions({ incidentId, state, role, complete, version, run }: { incidentId: string; state: string; role: Role; complete: boolean; version: number; run: Run }) {
  const lifecycle = useLifecycle();
  const [mode, setMode] = useState<TransitionName | null>(null);
  const [sufficiency, setSufficiency] = useState<Sufficiency>('sufficient');
  const [notes, setNotes] = useState('');
  const [reason, setReason] = useState('');
  const path = { id: incidentId };
  const post = (name: TransitionName) => {
    const body = { reason: reason || undefined, expectedVersion: version };
    return run(`Review: ${name} done`, () =>
      name === 'approve'
        ? api.POST('/api/incidents/{id}/review/approve', { params: { path }, body: { sufficiency, notes: notes || undefined, overrideIncomplete: complete ? undefined : reason, expectedVersion: version } })
        : api.POST(`/api/incidents/{id}/review/${name}`, { params: { path }, body }),
    );
  };
  const offered = lifecycle.transitions.filter((t) => OFFERED[t.name] && t.from.some((s) => s === state) && can(lifecycle.roles, role, t.role));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mode && (await post(mode))) setMode(null);
  };
  return (
    <div>
      <div className="buttons">
        {offered.map(({ name }) => {
          const spec = OFFERED[name];
          return (
            <button key={name} type="button" className={spec?.primary ? 'primary' : undefined} onClick={() => (spec?.form ? setMode(name) : void post(name))}>
              {spec?.label}
            </button>
          );
        })}
      </div>
      {mode && (
        <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={`${mode} the review`}>
          {mode === 'approve' && (
            <>
              <label htmlFor="sufficiency">Was the response sufficient?</label>
              <select id="sufficiency" value={sufficiency} onChange={(e) => setSufficiency(lifecycle.sufficiency.find((s) => s === e.target.value) ?? 'sufficient')}>
                {lifecycle.sufficiency.map((s) => <option key={s}>{s}</option>)}
              </select>
              <label htmlFor="approve-notes">Notes{sufficiency === 'insufficient' ? ' (required)' : ''}</label>
              <textarea id="approve-notes" rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} />
            </>
          )}
          {(mode !== 'approve' || !complete) && (
            <>
              <label htmlFor="reason">{mode === 'approve' ? 'The review is incomplete: why approve anyway?' : REASON_OPTIONAL.includes(mode) ? 'Reason (optional)' : 'Reason'}</label>
              <textarea id="reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required={!REASON_OPTIONAL.includes(mode)} />
            </>
          )}
          <div className="buttons"><button type="submit" className="primary">Confirm {mode}</button><button type="button" onClick={() => setMode(null)}>Cancel</button></div>
        </form>
      )}
    </div>
  );
}
