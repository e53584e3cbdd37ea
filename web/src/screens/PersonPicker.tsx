import { useEffect, useId, useState } from 'react';
import { api, dataOf, type Schemas } from '../api';

export type Person = Schemas['Person'];

/** The people directory, read once per page load and shared by every picker on screen. */
let directory: Promise<Person[]> | null = null;
export function loadPeople(): Promise<Person[]> {
  directory ??= dataOf(api.GET('/api/people')).then(
    (d) => d.people,
    (e: unknown) => {
      directory = null;
      throw e;
    },
  );
  return directory;
}

/** The people once loaded ([] until then, or when the directory cannot be read). */
export function usePeople(): Person[] {
  const [people, setPeople] = useState<Person[]>([]);
  useEffect(() => {
    let live = true;
    loadPeople().then((p) => live && setPeople(p), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return people;
}

/** The same rule the server applies to an address someone outside the tool is named by. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Why a value cannot name a person, or null when it can (empty means nobody). */
export function personProblem(value: string, people: readonly Person[]): string | null {
  const v = value.trim();
  if (!v) return null;
  if (people.some((p) => p.username.toLowerCase() === v.toLowerCase())) return null;
  if (EMAIL.test(v) && v.length <= 320) return null;
  return 'Pick a user from the list, or type an e-mail address for someone outside Hindsight.';
}

/** How a stored owner or assignee reads on screen: the display name of a user, else the value as stored. */
export function personLabel(value: string | null | undefined, people: readonly Person[]): string {
  if (!value) return '—';
  const p = people.find((x) => x.username === value || (x.email !== null && x.email.toLowerCase() === value.toLowerCase()));
  return p ? (p.displayName ? `${p.displayName} (${p.username})` : p.username) : value;
}

/**
 * Picks who owns or does something: a user of Hindsight (suggested from the people directory as
 * you type, by user name, display name or address) or an e-mail address for someone outside the
 * tool. The value is what the server stores: the user name, or the address. An entry that is
 * neither is flagged at once (the server refuses it too).
 */
export function PersonPicker({ value, onChange, label, id }: { value: string; onChange(v: string): void; label: string; id?: string }) {
  const generated = useId();
  const inputId = id ?? `person-${generated}`;
  const listId = `${inputId}-people`;
  const hintId = `${inputId}-hint`;
  const people = usePeople();
  const [touched, setTouched] = useState(false);
  const problem = personProblem(value, people);
  const shown = touched && problem !== null;
  const match = people.find((p) => p.username === value.trim());

  // Picking a suggestion by its display name or address stores the user name.
  const change = (raw: string) => {
    const v = raw.trim().toLowerCase();
    const byOther = people.find((p) => (p.displayName && `${p.displayName} (${p.username})`.toLowerCase() === v) || (p.email && p.email.toLowerCase() === v));
    onChange(byOther ? byOther.username : raw);
  };

  return (
    <div className="field person-picker">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        list={listId}
        value={value}
        autoComplete="off"
        spellCheck={false}
        placeholder="user name or e-mail address"
        aria-invalid={shown || undefined}
        aria-describedby={hintId}
        onChange={(e) => change(e.target.value)}
        onBlur={() => setTouched(true)}
      />
      <datalist id={listId}>
        {people.map((p) => (
          <option key={p.username} value={p.username}>
            {[p.displayName, p.email].filter(Boolean).join(' · ') || p.username}
          </option>
        ))}
      </datalist>
      <span id={hintId} className={shown ? 'error small' : 'muted small'} role={shown ? 'alert' : undefined}>
        {shown ? problem : match ? `${match.displayName ?? match.username}${match.email ? ` · ${match.email}` : ' · no e-mail address on file'}` : value.trim() && !problem ? 'someone outside Hindsight, reached by e-mail' : ''}
      </span>
    </div>
  );
}
