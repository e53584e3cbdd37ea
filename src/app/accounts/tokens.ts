/** API tokens for automation (Authorization: Bearer hs_...): shown once, stored only as their sha256. */
import type { ApiTokenInfo, User } from '../../model/accounts.js';
import { NotFoundError } from '../../model/errors.js';
import { insertToken, listTokenInfos, setTokenLastUsed, setTokenRevoked, tokenByHash, tokenInfoById } from '../../store/accounts/tokens.js';
import { userByName } from '../../store/accounts/users.js';
import type { OpenedStore } from '../../store/index.js';
import { auditedWrite } from '../audit.js';
import { newId, randomSecret, sha256Hex } from './secrets.js';

export const TOKEN_PREFIX = 'hs_';
/** A token's last use is recorded at most this often, so that reads stay reads. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Creates a token for automation. The token itself is returned once and stored only as its sha256. */
export async function createToken(store: OpenedStore, username: string, name: string, actor: string): Promise<{ token: string; info: ApiTokenInfo }> {
  const token = `${TOKEN_PREFIX}${randomSecret(32)}`;
  return auditedWrite(store, { actor, operation: 'token.create' }, async (tx) => {
    const user = await userByName(tx.db, username);
    if (!user) throw new NotFoundError(`no user named "${username}"`);
    const info: ApiTokenInfo = { id: newId('tok'), username, name, createdAt: new Date().toISOString(), lastUsedAt: null, revokedAt: null };
    await insertToken(tx.db, { id: info.id, userId: user.id, name, tokenHash: sha256Hex(token), createdAt: info.createdAt, lastUsedAt: null, revokedAt: null });
    return { result: { token, info }, entityId: info.id, after: info };
  });
}

/** Every token, or one user's, oldest first (never the tokens themselves). */
export function listTokens(store: OpenedStore, username?: string): Promise<ApiTokenInfo[]> {
  return listTokenInfos(store.db, username);
}

/** Revokes a token; revoking a revoked token changes (and records) nothing. */
export async function revokeToken(store: OpenedStore, id: string, actor: string): Promise<ApiTokenInfo> {
  return auditedWrite(store, { actor, operation: 'token.revoke' }, async (tx) => {
    const before = await tokenInfoById(tx.db, id);
    if (!before) throw new NotFoundError(`no API token with id "${id}"`);
    if (before.revokedAt) return { result: before, entityId: id, before, after: before };
    const revokedAt = new Date().toISOString();
    await setTokenRevoked(tx.db, id, revokedAt);
    const after: ApiTokenInfo = { ...before, revokedAt };
    return { result: after, entityId: id, before, after };
  });
}

/** The enabled user of an unrevoked token; records when it was last used (at most once a minute). */
export async function userOfToken(store: OpenedStore, token: string): Promise<User | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const found = await tokenByHash(store.db, sha256Hex(token));
  if (!found || found.revokedAt || found.user.disabled) return undefined;
  const now = new Date();
  if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) > LAST_USED_RESOLUTION_MS) await setTokenLastUsed(store.db, found.tokenId, now.toISOString());
  return found.user;
}
