/**
 * API tokens for automation (Authorization: Bearer hs_...): shown once, stored only as their sha256.
 * A token expires, carries a scope that is never more than its owner's role, and stops working for
 * good when its owner's password changes or the owner is disabled (enabling them again brings no
 * token back). Through the API a person makes tokens for themselves only; an admin makes them for
 * service accounts only. The command line on the machine holding the database is the operator's
 * tool and may make one for any enabled user.
 */
import { TOKEN_SCOPES, type ApiTokenInfo, type TokenRevocation, type TokenScope, type User } from '../../model/accounts.js';
import { ConflictError, HindsightError, NotFoundError, UsageError } from '../../model/errors.js';
import { ROLES, type Role } from '../../model/roles.js';
import { insertToken, listTokenInfos, revokeTokensOfUserRows, setTokenLastUsed, setTokenRevoked, tokenByHash, tokenInfoById } from '../../store/accounts/tokens.js';
import { userByName } from '../../store/accounts/users.js';
import type { OpenedStore } from '../../store/index.js';
import { appendAudit, auditedWrite } from '../audit.js';
import { newId, randomSecret, sha256Hex } from './secrets.js';

export const TOKEN_PREFIX = 'hs_';
/** A token's last use is recorded at most this often, so that reads stay reads. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** How long a token lives when its creator does not say. */
export const DEFAULT_TOKEN_DAYS = 90;
/** The longest life a token may be given unless HINDSIGHT_TOKEN_MAX_DAYS says otherwise. */
export const DEFAULT_TOKEN_MAX_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The highest role each scope can act with. */
const SCOPE_CEILING: Record<TokenScope, Role> = { read: 'viewer', write: 'reviewer', admin: 'admin' };

/** The widest scope a role may give its tokens. */
export function widestScopeOf(role: Role): TokenScope {
  return role === 'admin' ? 'admin' : role === 'viewer' ? 'read' : 'write';
}

/** The role a token acts with: the lower of its scope's ceiling and its owner's role now. */
export function effectiveRole(role: Role, scope: TokenScope): Role {
  const ceiling = SCOPE_CEILING[scope];
  return ROLES.indexOf(ceiling) < ROLES.indexOf(role) ? ceiling : role;
}

/** HINDSIGHT_TOKEN_MAX_DAYS as a whole number of days (1-3650), or the default; anything else is a UsageError. */
export function tokenMaxDays(env: NodeJS.ProcessEnv): number {
  const raw = env['HINDSIGHT_TOKEN_MAX_DAYS'];
  if (raw === undefined || raw === '') return DEFAULT_TOKEN_MAX_DAYS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new UsageError(`HINDSIGHT_TOKEN_MAX_DAYS must be a whole number of days from 1 to 3650, not "${raw}"`);
  return n;
}

export interface TokenOptions {
  /** Default: the widest the owner's role allows. */
  scope?: TokenScope;
  /** Default 90 (or the maximum, when that is lower). */
  expiresInDays?: number;
  /** The longest life allowed (see tokenMaxDays); default 365. */
  maxDays?: number;
}

function scopeFor(owner: User, scope: TokenScope | undefined): TokenScope {
  const allowed: readonly string[] = TOKEN_SCOPES.slice(0, TOKEN_SCOPES.indexOf(widestScopeOf(owner.role)) + 1);
  if (scope === undefined) return widestScopeOf(owner.role);
  if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) throw new UsageError(`the scope must be one of ${TOKEN_SCOPES.join(', ')}, not "${String(scope)}"`);
  if (!allowed.includes(scope)) throw new UsageError(`a token of ${owner.username} (${owner.role}) can have the scope ${allowed.join(' or ')}, not ${scope}: never more than its owner's role`);
  return scope;
}

function expiryFor(options: TokenOptions, now: Date): string {
  const max = options.maxDays ?? DEFAULT_TOKEN_MAX_DAYS;
  const days = options.expiresInDays ?? Math.min(DEFAULT_TOKEN_DAYS, max);
  if (!Number.isInteger(days) || days < 1 || days > max) throw new UsageError(`a token expires in 1 to ${max} days (HINDSIGHT_TOKEN_MAX_DAYS), not ${String(days)}`);
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}

/**
 * Creates a token for an enabled user (the operator's path: no check of who asks; see
 * tokenRequestRefusal for the API's). The token itself is returned once and stored only as its sha256.
 */
export async function createToken(store: OpenedStore, username: string, name: string, actor: string, options: TokenOptions = {}): Promise<{ token: string; info: ApiTokenInfo }> {
  const label = name.trim();
  if (!label || label.length > 100) throw new UsageError('a token needs a name of 1-100 characters saying what it is for');
  const token = `${TOKEN_PREFIX}${randomSecret(32)}`;
  return auditedWrite(store, { actor, operation: 'token.create' }, async (tx) => {
    const user = await userByName(tx.db, username);
    if (!user) throw new NotFoundError(`no user named "${username}"`);
    if (user.disabled) throw new ConflictError(`${username} is disabled: a disabled account gets no API token`);
    const now = new Date();
    const info: ApiTokenInfo = { id: newId('tok'), username, name: label, scope: scopeFor(user, options.scope), createdAt: now.toISOString(), expiresAt: expiryFor(options, now), lastUsedAt: null, revokedAt: null, revokedReason: null };
    await insertToken(tx.db, { id: info.id, userId: user.id, name: label, tokenHash: sha256Hex(token), createdAt: info.createdAt, lastUsedAt: null, revokedAt: null, scope: info.scope, expiresAt: info.expiresAt, revokedReason: null });
    return { result: { token, info }, entityId: info.id, after: info };
  });
}

/**
 * Why the API refuses this requester a token for `target`, or undefined when it may have one: a
 * person makes tokens for themselves; an admin makes them for service accounts; nobody makes one
 * for another person (that would let them act as that person).
 */
export function tokenRequestRefusal(requester: Pick<User, 'username' | 'role'>, target: Pick<User, 'username' | 'kind'>): string | undefined {
  if (requester.username === target.username) return undefined;
  if (requester.role !== 'admin') return 'you can create API tokens for yourself only';
  if (target.kind !== 'service') return `${target.username} is a person: only they can create their own tokens (admins create tokens for service accounts only)`;
  return undefined;
}

/** Every token, or one user's, oldest first (never the tokens themselves). */
export function listTokens(store: OpenedStore, username?: string): Promise<ApiTokenInfo[]> {
  return listTokenInfos(store.db, username);
}

/** One token's listing, whatever its state. */
export function tokenInfo(store: OpenedStore, id: string): Promise<ApiTokenInfo | undefined> {
  return tokenInfoById(store.db, id);
}

/** Revokes a token; revoking a revoked token changes (and records) nothing. */
export async function revokeToken(store: OpenedStore, id: string, actor: string): Promise<ApiTokenInfo> {
  return auditedWrite(store, { actor, operation: 'token.revoke' }, async (tx) => {
    const before = await tokenInfoById(tx.db, id);
    if (!before) throw new NotFoundError(`no API token with id "${id}"`);
    if (before.revokedAt) return { result: before, entityId: id, before, after: before };
    const revokedAt = new Date().toISOString();
    await setTokenRevoked(tx.db, id, revokedAt, 'revoked');
    const after: ApiTokenInfo = { ...before, revokedAt, revokedReason: 'revoked' };
    return { result: after, entityId: id, before, after };
  });
}

/**
 * Revokes every live token of a user, inside the caller's transaction (`tx`), with one audit entry
 * per token naming the reason: called when the owner's password changes or the owner is disabled.
 * Returns the revoked ids.
 */
export async function revokeTokensOfUser(tx: OpenedStore, userId: string, reason: TokenRevocation, actor = 'system'): Promise<string[]> {
  const revokedAt = new Date().toISOString();
  const ids = await revokeTokensOfUserRows(tx.db, userId, revokedAt, reason);
  for (const id of ids) {
    const after = await tokenInfoById(tx.db, id);
    await appendAudit(tx, { actor, operation: 'token.revoke' }, { entityId: id, before: after ? { ...after, revokedAt: null, revokedReason: null } : null, after: after ?? null });
  }
  return ids;
}

/** Who a token signs in, and with which scope and effective role. */
export interface TokenSignIn {
  /** The owner, with `role` lowered to what the token may do (see effectiveRole). */
  user: User;
  /** The owner's own role. */
  ownerRole: Role;
  scope: TokenScope;
  tokenId: string;
}

/** The enabled user of an unrevoked, unexpired token; records when it was last used (at most once a minute). */
export async function userOfToken(store: OpenedStore, token: string): Promise<TokenSignIn | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const found = await tokenByHash(store.db, sha256Hex(token));
  const now = new Date();
  if (!found || found.revokedAt || found.user.disabled) return undefined;
  if (found.expiresAt && found.expiresAt <= now.toISOString()) return undefined;
  if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) > LAST_USED_RESOLUTION_MS) await setTokenLastUsed(store.db, found.tokenId, now.toISOString());
  return { user: { ...found.user, role: effectiveRole(found.user.role, found.scope) }, ownerRole: found.user.role, scope: found.scope, tokenId: found.tokenId };
}

/** The API refused a token request (see tokenRequestRefusal): the server answers 403. */
export class TokenRequestRefused extends HindsightError {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRequestRefused';
  }
}

/**
 * A token asked for through the API by `requester` (as signed in: with a token, their role is
 * already lowered to its scope), for themselves or (admins) for a service account. The new
 * token's scope is never more than the requester may do now.
 */
export async function createTokenFor(store: OpenedStore, requester: Pick<User, 'username' | 'role'>, input: { username?: string; name: string; scope?: TokenScope; expiresInDays?: number }, maxDays: number): Promise<{ token: string; info: ApiTokenInfo }> {
  const target = input.username ?? requester.username;
  if (target !== requester.username) {
    const user = await userByName(store.db, target);
    if (!user) throw new NotFoundError(`no user named "${target}"`);
    const refusal = tokenRequestRefusal(requester, user);
    if (refusal) throw new TokenRequestRefused(refusal);
  } else {
    const widest = widestScopeOf(requester.role);
    if (input.scope && TOKEN_SCOPES.indexOf(input.scope) > TOKEN_SCOPES.indexOf(widest)) throw new TokenRequestRefused(`signed in as you are, you can create tokens with the scope ${TOKEN_SCOPES.slice(0, TOKEN_SCOPES.indexOf(widest) + 1).join(' or ')} only`);
    input = { ...input, scope: input.scope ?? widest };
  }
  return createToken(store, target, input.name, requester.username, { scope: input.scope, expiresInDays: input.expiresInDays, maxDays });
}
