/** Sign-in sessions of the web application: a cookie (stored only as its sha256) and a CSRF token. */
import type { User } from '../../model/accounts.js';
import { deleteExpiredSessions, deleteSession, insertSession, sessionById } from '../../store/accounts/sessions.js';
import type { OpenedStore } from '../../store/index.js';
import { randomSecret, sha256Hex } from './secrets.js';

/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface NewSession {
  /** The cookie's value (only its sha256 is stored). */
  cookie: string;
  csrfToken: string;
  expiresAt: string;
}

/** Starts a session for a user who signed in; sessions that have expired meanwhile are removed. */
export async function createSession(store: OpenedStore, user: User): Promise<NewSession> {
  const cookie = randomSecret(32);
  const csrfToken = randomSecret(24);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
  await deleteExpiredSessions(store.db, now.toISOString());
  await insertSession(store.db, { id: sha256Hex(cookie), userId: user.id, csrfToken, createdAt: now.toISOString(), expiresAt });
  return { cookie, csrfToken, expiresAt };
}

/** The enabled user and CSRF token of an unexpired session cookie. */
export async function userOfSession(store: OpenedStore, cookie: string): Promise<{ user: User; csrfToken: string } | undefined> {
  const session = await sessionById(store.db, sha256Hex(cookie));
  if (!session || session.user.disabled || session.expiresAt <= new Date().toISOString()) return undefined;
  return { user: session.user, csrfToken: session.csrfToken };
}

/** Signs out: the cookie no longer names a session. */
export async function endSession(store: OpenedStore, cookie: string): Promise<void> {
  await deleteSession(store.db, sha256Hex(cookie));
}
