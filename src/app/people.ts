import { UsageError } from '../model/errors.js';
import { isEmailAddress, type Person } from '../model/tasks.js';
import { allUsers } from '../store/accounts/users.js';
import type { OpenedStore } from '../store/index.js';

/**
 * People as owners and assignees: the accounts of the team server that sign in (not service
 * accounts, not disabled ones), and anyone outside the tool by e-mail address.
 */

/** The people work can be given to, by user name. */
export async function listPeople(store: OpenedStore): Promise<Person[]> {
  const users = await allUsers(store.db);
  return users.filter((u) => u.kind === 'person' && !u.disabled).map((u) => ({ username: u.username, displayName: u.displayName, email: u.email }));
}

/**
 * The owner or assignee a person named, as it is stored: a user name of an account that can take
 * work, or an e-mail address (the address of an account stands for its user name, so "my work"
 * and notifications find it). Anything else is refused, naming `field`, unless the store has no
 * accounts at all (a single analyst's database), where a name is taken as written.
 */
export async function resolvePerson(store: OpenedStore, value: string, field: string): Promise<string> {
  const name = value.trim();
  const users = await allUsers(store.db);
  // A store without any account (one analyst on the command line) has no one to pick from: any name goes.
  if (users.length === 0) return name;
  const user = users.find((u) => u.username === name) ?? users.find((u) => u.username.toLowerCase() === name.toLowerCase());
  if (user) {
    if (user.disabled) throw new UsageError(`${field}: the account "${user.username}" is disabled; pick someone else`);
    if (user.kind !== 'person') throw new UsageError(`${field}: "${user.username}" is a service account; work goes to people`);
    return user.username;
  }
  if (isEmailAddress(name)) {
    const byEmail = users.find((u) => u.kind === 'person' && !u.disabled && u.email?.toLowerCase() === name.toLowerCase());
    return byEmail ? byEmail.username : name;
  }
  throw new UsageError(`${field}: "${name}" is neither a user of Hindsight nor an e-mail address (see \`hindsight users list\` or GET /api/people)`);
}

/** The names work given to `username` may be stored under: the user name and the account's e-mail address. */
export async function namesOf(store: OpenedStore, username: string): Promise<{ username: string; email: string | null; names: string[] }> {
  const user = (await allUsers(store.db)).find((u) => u.username === username);
  const email = user?.email ?? null;
  return { username, email, names: email ? [username, email] : [username] };
}
