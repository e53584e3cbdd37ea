/** API tokens (table api_tokens): stored by the sha256 of the token, listed with their user's name. */
import type { Insertable, Kysely } from 'kysely';
import { TOKEN_REVOCATIONS, type ApiTokenInfo, type TokenRevocation, type TokenScope, type User } from '../../model/accounts.js';
import { compiledRead } from '../compiled-read.js';
import type { Database } from '../database.js';
import type { ApiTokensTable } from '../tables/accounts.js';
import { userOf } from './users.js';

export async function insertToken(db: Kysely<Database>, token: Insertable<ApiTokensTable>): Promise<void> {
  await db.insertInto('apiTokens').values(token).execute();
}

function revocationOf(reason: string | null, revokedAt: string | null): TokenRevocation | null {
  if (!revokedAt) return null;
  return (TOKEN_REVOCATIONS as readonly string[]).includes(reason ?? '') ? (reason as TokenRevocation) : 'revoked';
}

function tokenInfos(db: Kysely<Database>) {
  return db
    .selectFrom('apiTokens')
    .innerJoin('users', 'users.id', 'apiTokens.userId')
    .select(['apiTokens.id', 'users.username', 'apiTokens.name', 'apiTokens.scope', 'apiTokens.createdAt', 'apiTokens.expiresAt', 'apiTokens.lastUsedAt', 'apiTokens.revokedAt', 'apiTokens.revokedReason']);
}

type InfoRow = Omit<ApiTokenInfo, 'revokedReason'> & { revokedReason: string | null };
const infoOf = (row: InfoRow): ApiTokenInfo => ({ ...row, revokedReason: revocationOf(row.revokedReason, row.revokedAt) });

/** Every token (or one user's), oldest first. */
export async function listTokenInfos(db: Kysely<Database>, username?: string): Promise<ApiTokenInfo[]> {
  let query = tokenInfos(db);
  if (username) query = query.where('users.username', '=', username);
  const rows = await query.orderBy('apiTokens.createdAt').orderBy('apiTokens.id').execute();
  return rows.map(infoOf);
}

export async function tokenInfoById(db: Kysely<Database>, id: string): Promise<ApiTokenInfo | undefined> {
  const row = await tokenInfos(db).where('apiTokens.id', '=', id).executeTakeFirst();
  return row ? infoOf(row) : undefined;
}

export async function setTokenRevoked(db: Kysely<Database>, id: string, revokedAt: string, reason: TokenRevocation): Promise<void> {
  await db.updateTable('apiTokens').set({ revokedAt, revokedReason: reason }).where('id', '=', id).where('revokedAt', 'is', null).execute();
}

/** Revokes every live token of a user; returns the ids it revoked. */
export async function revokeTokensOfUserRows(db: Kysely<Database>, userId: string, revokedAt: string, reason: TokenRevocation): Promise<string[]> {
  const live = await db.selectFrom('apiTokens').select('id').where('userId', '=', userId).where('revokedAt', 'is', null).orderBy('id').execute();
  if (live.length === 0) return [];
  await db.updateTable('apiTokens').set({ revokedAt, revokedReason: reason }).where('userId', '=', userId).where('revokedAt', 'is', null).execute();
  return live.map((r) => r.id);
}

/** The token with this hash and its user, whatever their state. */
// Read on every request an API token signs: compiled once.
const tokenOf = compiledRead(
  (db, tokenHash: string) =>
    db
      .selectFrom('apiTokens')
      .innerJoin('users', 'users.id', 'apiTokens.userId')
      .selectAll('users')
      .select(['apiTokens.id as tokenId', 'apiTokens.revokedAt', 'apiTokens.lastUsedAt', 'apiTokens.scope', 'apiTokens.expiresAt'])
      .where('apiTokens.tokenHash', '=', tokenHash),
  [''],
);

export interface TokenOwner {
  tokenId: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
  scope: TokenScope;
  user: User;
}

export async function tokenByHash(db: Kysely<Database>, tokenHash: string): Promise<TokenOwner | undefined> {
  const row = (await tokenOf(db, tokenHash))[0];
  return row ? { tokenId: row.tokenId, revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt, expiresAt: row.expiresAt, scope: row.scope, user: userOf(row) } : undefined;
}

export async function setTokenLastUsed(db: Kysely<Database>, id: string, lastUsedAt: string): Promise<void> {
  await db.updateTable('apiTokens').set({ lastUsedAt }).where('id', '=', id).execute();
}
