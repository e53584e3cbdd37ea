/**
 * Accounts from single sign-on. At each sign-in the provider's claims decide: the account linked to
 * the identity (issuer + subject) is created or brought up to date (user name, display name,
 * e-mail address, role); a person whose claim maps to no role any more loses access there and then
 * (the account is disabled, which ends its sessions and revokes its API tokens). Every change is in
 * the audit trail, made by the actor `hindsight-sso`.
 */
import type { User } from '../../model/accounts.js';
import type { Role } from '../../model/roles.js';
import { listAuditEntries } from '../../store/audit/list.js';
import { linkOidcIdentity, oidcIdentityOf, userByOidcIdentity } from '../../store/accounts/sign-in.js';
import { insertUser, saveUser, userByName } from '../../store/accounts/users.js';
import type { OpenedStore } from '../../store/index.js';
import { auditedWrite } from '../audit.js';
import { mappedRole, type OidcSettings } from './oidc-settings.js';
import { newId } from './secrets.js';
import { updateUser } from './users.js';

/** The audit actor of the account changes single sign-on makes. */
export const SSO_ACTOR = 'hindsight-sso';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** A sign-in the claims do not allow, with a reason fit to show the person. */
export class SignInRefused extends Error {
  constructor(
    readonly code: 'no-role' | 'no-username' | 'account-disabled' | 'identity-mismatch' | 'service-account' | 'sign-in-failed',
    message: string,
  ) {
    super(message);
    this.name = 'SignInRefused';
  }
}

export type Claims = Record<string, unknown>;

function stringClaim(claims: Claims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * A claim by name, or by a dotted path into nested claims when no claim has that name
 * (Keycloak's realm roles: `realm_access.roles`; a client's: `resource_access.hindsight.roles`).
 */
export function claimAt(claims: Claims, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The user name from the first configured claim that holds one. */
export function usernameFromClaims(claims: Claims, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = stringClaim(claims, name);
    if (value) return value;
  }
  return undefined;
}

/** Whether the account's last disable/enable was made by single sign-on (its role had gone). */
async function disabledBySso(store: OpenedStore, username: string): Promise<boolean> {
  const entries = await listAuditEntries(store.db, { entityType: 'user', entityId: username, limit: 100 });
  const last = entries.find((e) => e.action === 'user.disable' || e.action === 'user.enable');
  return last?.action === 'user.disable' && last.actor === SSO_ACTOR;
}

/**
 * The account for a verified identity, created, linked or updated from its claims. Throws
 * SignInRefused when the claims give no role or no usable user name, when the account was
 * disabled by an admin, or when the user name belongs to an account linked to another identity.
 */
export async function provisionOidcUser(store: OpenedStore, settings: Pick<OidcSettings, 'roleClaim' | 'roleMap' | 'usernameClaims'>, issuer: string, subject: string, claims: Claims): Promise<User> {
  const role = mappedRole(claimAt(claims, settings.roleClaim), settings.roleMap);
  const linked = await userByOidcIdentity(store.db, issuer, subject);
  if (!role) {
    if (linked && !linked.disabled) await updateUser(store, linked.username, { disabled: true }, SSO_ACTOR);
    throw new SignInRefused('no-role', `your account at the identity provider has no ${settings.roleClaim} value that gives access to Hindsight; ask an administrator`);
  }
  const displayName = stringClaim(claims, 'name') ?? null;
  const email = stringClaim(claims, 'email')?.toLowerCase() ?? null;
  if (linked) return updateLinked(store, linked, { role, displayName, email });

  const username = usernameFromClaims(claims, settings.usernameClaims);
  if (!username || !USERNAME.test(username)) {
    throw new SignInRefused('no-username', `the identity provider gave no usable user name (claims ${settings.usernameClaims.join(', ')}: 1-64 letters, digits, dots, dashes, underscores or @)`);
  }
  const existing = await userByName(store.db, username);
  if (existing) {
    // A local account of the same name is linked at its first single sign-on; one already linked
    // to another identity is never taken over.
    const identity = await oidcIdentityOf(store.db, existing.id);
    if (identity) throw new SignInRefused('identity-mismatch', `the user name "${username}" belongs to another identity; ask an administrator`);
    if (existing.kind === 'service') throw new SignInRefused('service-account', `"${username}" is a service account: it cannot sign in`);
    return updateLinked(store, existing, { role, displayName, email }, { issuer, subject });
  }
  const user: User = { id: newId('usr'), username, displayName, email, kind: 'person', role, disabled: false, createdAt: new Date().toISOString(), mustChangePassword: false };
  return auditedWrite(store, { actor: SSO_ACTOR, operation: 'user.add' }, async (tx) => {
    await insertUser(tx.db, user, null);
    await linkOidcIdentity(tx.db, user.id, issuer, subject);
    return { result: user, entityId: username, after: { ...user, identity: { issuer, subject } } };
  });
}

/** Brings a linked (or to-be-linked) account up to date; re-enables it only if single sign-on had disabled it. */
async function updateLinked(store: OpenedStore, user: User, fresh: { role: Role; displayName: string | null; email: string | null }, link?: { issuer: string; subject: string }): Promise<User> {
  let enable = false;
  if (user.disabled) {
    if (!(await disabledBySso(store, user.username))) throw new SignInRefused('account-disabled', 'your Hindsight account is disabled; ask an administrator');
    enable = true;
  }
  const after: User = { ...user, role: fresh.role, displayName: fresh.displayName ?? user.displayName, email: fresh.email ?? user.email, disabled: false };
  const changed = enable || link !== undefined || after.role !== user.role || after.displayName !== user.displayName || after.email !== user.email;
  if (!changed) return user;
  return auditedWrite(store, { actor: SSO_ACTOR, operation: enable ? 'user.enable' : 'user.update' }, async (tx) => {
    await saveUser(tx.db, after);
    if (link) await linkOidcIdentity(tx.db, user.id, link.issuer, link.subject);
    return { result: after, entityId: user.username, before: user, after: link ? { ...after, identity: link } : after };
  });
}
