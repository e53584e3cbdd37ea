/**
 * A person changing their own password: they prove the current one, the new one must pass the
 * password policy and differ from it, and every other session of theirs ends and their API tokens
 * are revoked (whoever knew the old password is out), while the session they changed it from goes on.
 */
import type { User } from '../../model/accounts.js';
import { UsageError } from '../../model/errors.js';
import { deleteOtherSessionsOfUser, deleteSessionsOfUser } from '../../store/accounts/sessions.js';
import { saveUser, userCredentialsByName } from '../../store/accounts/users.js';
import type { OpenedStore } from '../../store/index.js';
import { auditedWrite } from '../audit.js';
import { checkPasswordPolicy } from './password-policy.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { sha256Hex } from './secrets.js';
import { revokeTokensOfUser } from './tokens.js';

/** The current password given was wrong. */
export class WrongPasswordError extends Error {
  constructor() {
    super('the current password is wrong');
    this.name = 'WrongPasswordError';
  }
}

/**
 * Changes the signed-in person's password. `keepSessionCookie`: the session it is changed from,
 * which stays signed in; without it every session ends.
 */
export async function changeOwnPassword(store: OpenedStore, username: string, currentPassword: string, newPassword: string, keepSessionCookie?: string): Promise<User> {
  const found = await userCredentialsByName(store.db, username);
  if (!found || found.user.disabled || !(await verifyPassword(currentPassword, found.passwordHash))) throw new WrongPasswordError();
  if (newPassword === currentPassword) throw new UsageError('the new password must differ from the current one');
  checkPasswordPolicy(newPassword, found.user);
  const passwordHash = await hashPassword(newPassword);
  return auditedWrite(store, { actor: username, operation: 'user.password' }, async (tx) => {
    const before = found.user;
    const after: User = { ...before, mustChangePassword: false };
    await saveUser(tx.db, after, passwordHash);
    if (keepSessionCookie) await deleteOtherSessionsOfUser(tx.db, before.id, sha256Hex(keepSessionCookie));
    else await deleteSessionsOfUser(tx.db, before.id);
    await revokeTokensOfUser(tx, before.id, 'password-changed', username);
    return { result: after, entityId: username, before, after: { ...after, passwordChanged: true, bySelf: true } };
  });
}
