/** Local accounts of the team server: add, change, disable, and verify a sign-in. */
import { z } from 'zod';
import type { User, UserKind } from '../../model/accounts.js';
import { ConflictError, NotFoundError, UsageError } from '../../model/errors.js';
import { isRole, ROLES, type Role } from '../../model/roles.js';
import { deleteSessionsOfUser } from '../../store/accounts/sessions.js';
import { allUsers, insertUser, saveUser, userByName, userCount, userCredentialsByName } from '../../store/accounts/users.js';
import type { OpenedStore } from '../../store/index.js';
import { auditedWrite, type AuditedOperation } from '../audit.js';
import { incidentsRestrictedTo } from '../../store/accounts/incident-access.js';
import { checkPasswordPolicy, type PasswordOwner } from './password-policy.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import { revokeTokensOfUser } from './tokens.js';
import { newId } from './secrets.js';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface NewUser {
  username: string;
  role: string;
  /** Absent: the account cannot sign in until one is set. */
  password?: string;
  displayName?: string;
  email?: string;
  /** Default `person`. */
  kind?: UserKind;
  /** The password is a generated one: the account must change it at its first sign-in. */
  mustChangePassword?: boolean;
}

export interface UserChange {
  role?: string;
  displayName?: string | null;
  email?: string | null;
  password?: string;
  disabled?: boolean;
  /** Make the person change the password at their next sign-in (a new password clears it unless this says otherwise). */
  mustChangePassword?: boolean;
}

function roleOf(role: string): Role {
  if (!isRole(role)) throw new UsageError(`the role must be one of ${ROLES.join(', ')}, not "${role}"`);
  return role;
}

/** The address, lower-cased in its domain only as mail does, or a UsageError naming it. */
function emailOf(email: string | null | undefined): string | null | undefined {
  if (email === undefined || email === null) return email;
  const trimmed = email.trim();
  if (!z.email().safeParse(trimmed).success) throw new UsageError(`"${email}" is not an e-mail address`);
  const at = trimmed.lastIndexOf('@');
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

function checkPassword(password: string | undefined, owner: PasswordOwner): void {
  if (password !== undefined) checkPasswordPolicy(password, owner);
}

export async function addUser(store: OpenedStore, input: NewUser, actor: string): Promise<User> {
  if (!USERNAME.test(input.username)) throw new UsageError(`the user name "${input.username}" must be 1-64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit`);
  const role = roleOf(input.role);
  if (input.kind === 'service' && input.password !== undefined) throw new UsageError('a service account has no password: it never signs in interactively, only with API tokens');
  const email = emailOf(input.email) ?? null;
  checkPassword(input.password, { username: input.username, displayName: input.displayName, email });
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const user: User = { id: newId('usr'), username: input.username, displayName: input.displayName ?? null, email, kind: input.kind ?? 'person', role, disabled: false, createdAt: new Date().toISOString(), mustChangePassword: input.mustChangePassword ?? false };
  return auditedWrite(store, { actor, operation: 'user.add' }, async (tx) => {
    if (await userByName(tx.db, input.username)) throw new ConflictError(`a user named "${input.username}" already exists`);
    await insertUser(tx.db, user, passwordHash);
    return { result: user, entityId: user.username, after: user };
  });
}

/** Every account, by user name. */
export function listUsers(store: OpenedStore): Promise<User[]> {
  return allUsers(store.db);
}

export function countUsers(store: OpenedStore): Promise<number> {
  return userCount(store.db);
}

/** The audit operation of a change: disabling, enabling and a password alone have their own. */
function operationOf(change: UserChange): AuditedOperation {
  if (change.disabled === true) return 'user.disable';
  if (change.disabled === false) return 'user.enable';
  return change.password !== undefined && change.role === undefined ? 'user.password' : 'user.update';
}

/** Changes role, display name, password or disabled flag; disabling or a new password ends the user's sessions. */
export async function updateUser(store: OpenedStore, username: string, change: UserChange, actor: string): Promise<User> {
  const role = change.role === undefined ? undefined : roleOf(change.role);
  const email = emailOf(change.email);
  if (change.password !== undefined) {
    const owner = await userByName(store.db, username);
    checkPassword(change.password, { username, displayName: change.displayName ?? owner?.displayName, email: email ?? owner?.email });
  }
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  return auditedWrite(store, { actor, operation: operationOf(change) }, async (tx) => {
    const before = await userByName(tx.db, username);
    if (!before) throw new NotFoundError(`no user named "${username}"`);
    if (passwordHash !== undefined && before.kind === 'service') throw new UsageError(`${username} is a service account: it has no password, only API tokens`);
    const after: User = {
      ...before,
      ...(role !== undefined ? { role } : {}),
      ...(change.displayName !== undefined ? { displayName: change.displayName } : {}),
      ...(email !== undefined ? { email } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      ...(change.mustChangePassword !== undefined ? { mustChangePassword: change.mustChangePassword } : passwordHash !== undefined ? { mustChangePassword: false } : {}),
    };
    await saveUser(tx.db, after, passwordHash);
    if (after.disabled || passwordHash !== undefined) await deleteSessionsOfUser(tx.db, before.id);
    // Their API tokens end with their sessions, for good: enabling the account again brings none back.
    if (after.disabled && !before.disabled) await revokeTokensOfUser(tx, before.id, 'user-disabled', actor);
    else if (passwordHash !== undefined) await revokeTokensOfUser(tx, before.id, 'password-changed', actor);
    // Taking over a person on an incident's access list (a new password, or locking them out) is
    // what an admin could abuse to reach that incident: the entry names those incidents for admins.
    const restricted = after.disabled !== before.disabled || passwordHash !== undefined ? await incidentsRestrictedTo(tx.db, username) : [];
    // The hash itself never goes into the trail: only that it changed.
    return { result: after, entityId: username, before, after: { ...after, ...(passwordHash !== undefined ? { passwordChanged: true } : {}), ...(restricted.length ? { onAccessListOf: restricted } : {}) } };
  });
}

export function disableUser(store: OpenedStore, username: string, actor: string): Promise<User> {
  return updateUser(store, username, { disabled: true }, actor);
}

/** The user, when the name and password match an enabled account. Spends the same time on unknown names. */
export async function verifySignIn(store: OpenedStore, username: string, password: string): Promise<User | undefined> {
  const found = await userCredentialsByName(store.db, username);
  if (!found?.passwordHash) {
    await verifyPassword(password, await decoyHash());
    return undefined;
  }
  const ok = await verifyPassword(password, found.passwordHash);
  // A service account holds API tokens only: it never signs in interactively, whatever its password.
  return ok && !found.user.disabled && found.user.kind !== 'service' ? found.user : undefined;
}
