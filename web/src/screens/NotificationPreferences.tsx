import { useState } from 'react';
import { api, dataOf, type Schemas } from '../api';
import { describeError, ErrorNote, Status, useApi } from './common';

type Preferences = Schemas['NotificationPreferences'];
type Mode = Preferences['defaultMode'];
type Kind = keyof Preferences['kinds'];

/** Every kind, grouped as people think of them, with a label. */
const GROUPS: { title: string; kinds: [Kind, string][] }[] = [
  { title: 'Reviews', kinds: [['review.required', 'A review is required'], ['review.submitted', 'A review is submitted (reviewers)'], ['review.returned', 'My review is returned'], ['review.approved', 'My review is approved']] },
  { title: 'Assignments', kinds: [['action.assigned', 'An action item is assigned to me'], ['task.assigned', 'A task is assigned to me']] },
  {
    title: 'Reminders',
    kinds: [
      ['action.due-soon', 'My action item is due soon'],
      ['action.overdue', 'My action item is overdue'],
      ['action.escalated', 'An overdue action item is escalated to me'],
      ['task.due-soon', 'My task is due soon'],
      ['task.overdue', 'My task is overdue'],
      ['task.escalated', 'An overdue task is escalated to me'],
    ],
  },
  { title: 'Trackers', kinds: [['tracker.changed', 'The tracker issue of my action item changes state']] },
];

const MODES: [Mode, string][] = [['immediate', 'At once'], ['digest', 'Daily digest'], ['off', 'Off']];

/**
 * My notifications: for each kind, an e-mail at once, in the daily digest, or none; kinds left on
 * "as default" follow the default. Messages go to the address of my account.
 */
export function NotificationPreferences() {
  const loaded = useApi(() => dataOf(api.GET('/api/me/notifications')), 'my-notifications');
  const [draft, setDraft] = useState<Preferences | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const prefs = draft ?? loaded.data;

  const save = async () => {
    if (!prefs) return;
    setMessage(null);
    setFailure(null);
    try {
      const saved = await dataOf(api.PUT('/api/me/notifications', { body: { defaultMode: prefs.defaultMode, kinds: prefs.kinds } }));
      setDraft(saved);
      setMessage('Preferences saved');
    } catch (e) {
      setFailure(describeError(e));
    }
  };
  const setKind = (kind: Kind, value: string) => {
    if (!prefs) return;
    const kinds = { ...prefs.kinds };
    if (value === '') delete kinds[kind];
    else kinds[kind] = value as Mode;
    setDraft({ ...prefs, kinds });
  };

  return (
    <section aria-labelledby="my-notifications-title" className="notification-preferences">
      <h1 id="my-notifications-title">My notifications</h1>
      <ErrorNote error={loaded.error} />
      {prefs && (
        <>
          <p className="muted">
            {prefs.email ? <>Messages go to <strong>{prefs.email}</strong>.</> : 'Your account has no e-mail address yet: ask an admin to add one, or sign in with single sign-on.'} The daily digest gathers the kinds you choose into one message a day.
          </p>
          <div className="row">
            <div className="field">
              <label htmlFor="np-default">Default for every kind</label>
              <select id="np-default" value={prefs.defaultMode} onChange={(e) => setDraft({ ...prefs, defaultMode: e.target.value as Mode })}>
                {MODES.map(([m, label]) => <option key={m} value={m}>{label}</option>)}
              </select>
            </div>
          </div>
          {GROUPS.map((group) => (
            <table key={group.title} className="grid notification-kinds">
              <caption>{group.title}</caption>
              <thead>
                <tr><th scope="col">When</th><th scope="col">E-mail</th></tr>
              </thead>
              <tbody>
                {group.kinds.map(([kind, label]) => (
                  <tr key={kind}>
                    <th scope="row"><label htmlFor={`np-${kind}`}>{label}</label></th>
                    <td>
                      <select id={`np-${kind}`} value={prefs.kinds[kind] ?? ''} onChange={(e) => setKind(kind, e.target.value)}>
                        <option value="">As default ({MODES.find(([m]) => m === prefs.defaultMode)?.[1]})</option>
                        {MODES.map(([m, l]) => <option key={m} value={m}>{l}</option>)}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
          <div className="buttons">
            <button type="button" className="primary" onClick={() => void save()}>Save preferences</button>
          </div>
          <Status message={message} error={failure} />
        </>
      )}
    </section>
  );
}
