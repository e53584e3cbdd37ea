import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, UsageError } from '../model/errors.js';
import type { Database } from '../store/schema.js';
import { recordAudit } from './audit.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import { isRole, ROLES, type Role } from '../model/roles.js';
import type { AuthTables, UsersTable } from './schema.js';

type DB = Database & AuthTables;

export interface User {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface ApiTokenInfo {
  id: string;
  username: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewSession {
  /** The cookie's value (only its sha256 is stored). */
  cookie: string;
  csrfToken: string;
  expiresAt: string;
}

/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const TOKEN_PREFIX = 'hs_';
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Accounts, sessions, API tokens and incident access, over the store's database. Every write
 * records an audit entry in the same transaction.
 */
export class AuthStore {
  readonly db: Kysely<DB>;
  constructor(
    db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = db.withTables<AuthTables>();
  }

  // ------------------------------------------------------------------ users

  async addUser(input: { username: string; role: string; password?: string; displayName?: string }, actor: string): Promise<User> {
    if (!USERNAME.test(input.username)) throw new UsageError(`the user name "${input.username}" must be 1-64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit`);
    if (!isRole(input.role)) throw new UsageError(`the role must be one of ${ROLES.join(', ')}, not "${input.role}"`);
    if (input.password !== undefined && input.password.length < 12) throw new UsageError('the password must be at least 12 characters long');
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const row: UsersTable = {
      id: `usr_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      username: input.username,
      display_name: input.displayName ?? null,
      role: input.role,
      password_hash: passwordHash,
      disabled: 0,
      created_at: this.now().toISOString(),
    };
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
      if (existing) throw new ConflictError(`a user named "${input.username}" already exists`);
      await trx.insertInto('users').values(row).execute();
      const user = toUser(row);
      await recordAudit(trx, { actor, action: 'user.add', entityType: 'user', entityId: user.username, after: user });
      return user;
    });
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(toUser);
  }

  async countUsers(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async getUser(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  private async requireUserRow(trx: Kysely<DB>, username: string): Promise<UsersTable> {
    const row = await trx.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    if (!row) throw new NotFoundError(`no user named "${username}"`);
    return row;
  }

  /** Changes role, display name, password or disabled flag; disabling ends the user's sessions. */
  async updateUser(username: string, patch: { role?: string; displayName?: string | null; password?: string; disabled?: boolean }, actor: string): Promise<User> {
    if (patch.role !== undefined && !isRole(patch.role)) throw new UsageError(`the role must be one of ${ROLES.join(', ')}, not "${patch.role}"`);
    if (patch.password !== undefined && patch.password.length < 12) throw new UsageError('the password must be at least 12 characters long');
    const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    return this.db.transaction().execute(async (trx) => {
      const before = await this.requireUserRow(trx, username);
      const next: UsersTable = {
        ...before,
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
      };
      await trx
        .updateTable('users')
        .set({ role: next.role, display_name: next.display_name, password_hash: next.password_hash, disabled: next.disabled })
        .where('id', '=', before.id)
        .execute();
      if (next.disabled || passwordHash !== undefined) await trx.deleteFrom('sessions').where('user_id', '=', before.id).execute();
      const action = patch.disabled === true ? 'user.disable' : patch.disabled === false ? 'user.enable' : passwordHash !== undefined && patch.role === undefined ? 'user.password' : 'user.update';
      const after = toUser(next);
      await recordAudit(trx, { actor, action, entityType: 'user', entityId: username, before: toUser(before), after: { ...after, ...(passwordHash ? { passwordChanged: true } : {}) } });
      return after;
    });
  }

  disableUser(username: string, actor: string): Promise<User> {
    return this.updateUser(username, { disabled: true }, actor);
  }

  /** The user, when the name and password match an enabled account. Spends the same time on unknown names. */
  async verifyLogin(username: string, password: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    if (!row || !row.password_hash) {
      await verifyPassword(password, await decoyHash());
      return undefined;
    }
    const ok = await verifyPassword(password, row.password_hash);
    return ok && !row.disabled ? toUser(row) : undefined;
  }

  // ------------------------------------------------------------------ sessions

  async createSession(user: User): Promise<NewSession> {
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    await this.db.deleteFrom('sessions').where('expires_at', '<', now.toISOString()).execute();
    await this.db.insertInto('sessions').values({ id: sha256Hex(cookie), user_id: user.id, csrf_token: csrfToken, created_at: now.toISOString(), expires_at: expiresAt }).execute();
    return { cookie, csrfToken, expiresAt };
  }

  /** The enabled user and CSRF token of an unexpired session cookie. */
  async sessionUser(cookie: string): Promise<{ user: User; csrfToken: string } | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.csrf_token', 'sessions.expires_at'])
      .where('sessions.id', '=', sha256Hex(cookie))
      .executeTakeFirst();
    if (!row || row.disabled || row.expires_at <= this.now().toISOString()) return undefined;
    return { user: toUser(row), csrfToken: row.csrf_token };
  }

  async deleteSession(cookie: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sha256Hex(cookie)).execute();
  }

  // ------------------------------------------------------------------ API tokens

  /** Creates a token for automation. The token itself is returned once and stored only as its sha256. */
  async createToken(username: string, name: string, actor: string): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    return this.db.transaction().execute(async (trx) => {
      const user = await this.requireUserRow(trx, username);
      const row = { id: `tok_${randomUUID().replace(/-/g, '').slice(0, 16)}`, user_id: user.id, name, token_hash: sha256Hex(token), created_at: this.now().toISOString(), last_used_at: null, revoked_at: null };
      await trx.insertInto('api_tokens').values(row).execute();
      const info: ApiTokenInfo = { id: row.id, username, name, createdAt: row.created_at, lastUsedAt: null, revokedAt: null };
      await recordAudit(trx, { actor, action: 'token.create', entityType: 'api-token', entityId: row.id, after: info });
      return { token, info };
    });
  }

  async listTokens(username?: string): Promise<ApiTokenInfo[]> {
    let q = this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['api_tokens.id', 'users.username', 'api_tokens.name', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at']);
    if (username) q = q.where('users.username', '=', username);
    const rows = await q.orderBy('api_tokens.created_at').execute();
    return rows.map((r) => ({ id: r.id, username: r.username, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
  }

  async revokeToken(id: string, actor: string): Promise<ApiTokenInfo> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').selectAll('api_tokens').select('users.username').where('api_tokens.id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`no API token with id "${id}"`);
      const before: ApiTokenInfo = { id: row.id, username: row.username, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
      if (row.revoked_at) return before;
      const revokedAt = this.now().toISOString();
      await trx.updateTable('api_tokens').set({ revoked_at: revokedAt }).where('id', '=', id).execute();
      const after = { ...before, revokedAt };
      await recordAudit(trx, { actor, action: 'token.revoke', entityType: 'api-token', entityId: id, before, after });
      return after;
    });
  }

  /** The enabled user of an unrevoked token; records when it was last used (at most once a minute). */
  async tokenUser(token: string): Promise<User | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = await this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('users')
      .select(['api_tokens.id as token_id', 'api_tokens.revoked_at', 'api_tokens.last_used_at'])
      .where('api_tokens.token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (!row || row.revoked_at || row.disabled) return undefined;
    const now = this.now();
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 60_000) {
      await this.db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.token_id).execute();
    }
    return toUser(row);
  }

  // ------------------------------------------------------------------ incident access

  /** Restricts an incident to the named people (an empty list lifts the restriction). */
  async restrictIncident(incidentId: string, usernames: string[], actor: string): Promise<string[]> {
    const names = [...new Set(usernames.map((u) => u.trim()).filter(Boolean))].sort();
    return this.db.transaction().execute(async (trx) => {
      const before = (await trx.selectFrom('incident_access').select('username').where('incident_id', '=', incidentId).orderBy('username').execute()).map((r) => r.username);
      await trx.deleteFrom('incident_access').where('incident_id', '=', incidentId).execute();
      if (names.length) await trx.insertInto('incident_access').values(names.map((username) => ({ incident_id: incidentId, username }))).execute();
      await recordAudit(trx, { actor, action: names.length ? 'incident.restrict' : 'incident.unrestrict', entityType: 'incident', entityId: incidentId, before: { restrictedTo: before }, after: { restrictedTo: names } });
      return names;
    });
  }

  async accessList(incidentId: string): Promise<string[]> {
    return (await this.db.selectFrom('incident_access').select('username').where('incident_id', '=', incidentId).orderBy('username').execute()).map((r) => r.username);
  }

  /**
   * Whether the user may see the incident: it is unrestricted, or the user is named in its list.
   * No role is exempt: to an admin not on the list the incident does not exist either (admins
   * manage the list itself, see restrictIncident).
   */
  async canSee(user: Pick<User, 'username' | 'role'>, incidentId: string): Promise<boolean> {
    return (await this.access(user, incidentId)).visible;
  }

  /** Whether the user may see the incident, and its access list (empty: unrestricted), in one read. */
  async access(user: Pick<User, 'username' | 'role'>, incidentId: string): Promise<{ visible: boolean; restrictedTo: string[] }> {
    const restrictedTo = await this.accessList(incidentId);
    return { visible: restrictedTo.length === 0 || restrictedTo.includes(user.username), restrictedTo };
  }

  /** Restricted incidents the user is not named on, whatever the user's role. */
  async hiddenIncidents(user: Pick<User, 'username' | 'role'>): Promise<Set<string>> {
    const rows = await this.db.selectFrom('incident_access').select(['incident_id', 'username']).execute();
    const hidden = new Set(rows.map((r) => r.incident_id));
    for (const r of rows) if (r.username === user.username) hidden.delete(r.incident_id);
    return hidden;
  }
}

function toUser(row: UsersTable): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: isRole(row.role) ? row.role : 'viewer',
    disabled: Boolean(row.disabled),
    createdAt: row.created_at,
  };
}
