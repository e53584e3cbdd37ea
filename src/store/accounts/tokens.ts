/** API tokens (table api_tokens): stored by the sha256 of the token, listed with their user's name. */
import type { Insertable, Kysely } from 'kysely';
import type { ApiTokenInfo, User } from '../../model/accounts.js';
import { compiledRead } from '../compiled-read.js';
import type { Database } from '../database.js';
import type { ApiTokensTable } from '../tables/accounts.js';
import { userOf } from './users.js';

export async function insertToken(db: Kysely<Database>, token: Insertable<ApiTokensTable>): Promise<void> {
  await db.insertInto('apiTokens').values(token).execute();
}

function tokenInfos(db: Kysely<Database>) {
  return db
    .selectFrom('apiTokens')
    .innerJoin('users', 'users.id', 'apiTokens.userId')
    .select(['apiTokens.id', 'users.username', 'apiTokens.name', 'apiTokens.createdAt', 'apiTokens.lastUsedAt', 'apiTokens.revokedAt']);
}

/** Every token (or one user's), oldest first. */
export async function listTokenInfos(db: Kysely<Database>, username?: string): Promise<ApiTokenInfo[]> {
  let query = tokenInfos(db);
  if (username) query = query.where('users.username', '=', username);
  return query.orderBy('apiTokens.createdAt').execute();
}

export async function tokenInfoById(db: Kysely<Database>, id: string): Promise<ApiTokenInfo | undefined> {
  return tokenInfos(db).where('apiTokens.id', '=', id).executeTakeFirst();
}

export async function setTokenRevoked(db: Kysely<Database>, id: string, revokedAt: string): Promise<void> {
  await db.updateTable('apiTokens').set({ revokedAt }).where('id', '=', id).execute();
}

/** The token with this hash and its user, whatever their state. */
// Read on every request an API token signs: compiled once.
const tokenOf = compiledRead(
  (db, tokenHash: string) =>
    db
      .selectFrom('apiTokens')
      .innerJoin('users', 'users.id', 'apiTokens.userId')
      .selectAll('users')
      .select(['apiTokens.id as tokenId', 'apiTokens.revokedAt', 'apiTokens.lastUsedAt'])
      .where('apiTokens.tokenHash', '=', tokenHash),
  [''],
);

export async function tokenByHash(db: Kysely<Database>, tokenHash: string): Promise<{ tokenId: string; revokedAt: string | null; lastUsedAt: string | null; user: User } | undefined> {
  const row = (await tokenOf(db, tokenHash))[0];
  return row ? { tokenId: row.tokenId, revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt, user: userOf(row) } : undefined;
}

export async function setTokenLastUsed(db: Kysely<Database>, id: string, lastUsedAt: string): Promise<void> {
  await db.updateTable('apiTokens').set({ lastUsedAt }).where('id', '=', id).execute();
}
