import type { Generated } from 'kysely';
import type { TokenScope, UserKind } from '../../model/accounts.js';
import type { Role } from '../../model/roles.js';
import type { Flag } from '../json-text.js';

/** The team server's accounts, sessions, tokens, incident access and audit trail (migration 0005). */
export interface UsersTable {
  id: string;
  username: string;
  displayName: string | null;
  /** Where notifications reach the person (migration 0012). */
  email: string | null;
  /** `person` signs in; `service` holds API tokens only (migration 0012). */
  kind: Generated<UserKind>;
  role: Role;
  /** `scrypt$N$r$p$salt$hash` (base64url), or NULL for an account that cannot sign in with a password. */
  passwordHash: string | null;
  disabled: Flag;
  createdAt: string;
  /** The OpenID Connect identity the account is linked to: issuer and subject (migration 0013). */
  oidcIssuer: Generated<string | null>;
  oidcSubject: Generated<string | null>;
  /** Set on a generated first password: the API refuses all but a password change (migration 0013). */
  mustChangePassword: Generated<Flag>;
}

export interface SessionsTable {
  /** sha256 (hex) of the cookie's value. */
  id: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export interface ApiTokensTable {
  id: string;
  userId: string;
  name: string;
  /** sha256 (hex) of the token. */
  tokenHash: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** `read`, `write` or `admin`: capped by the owner's role at each request (migration 0014). */
  scope: Generated<TokenScope>;
  /** When the token stops working (migration 0014; tokens made since always have one). */
  expiresAt: string | null;
  /** Why it was revoked: by hand, the owner's password changed, the owner was disabled (migration 0014). */
  revokedReason: string | null;
}

export interface IncidentAccessTable {
  incidentId: string;
  username: string;
}

/** The hash-chained audit trail: append-only. */
export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  /** Canonical JSON, or NULL: the hash covers this exact text. */
  before: string | null;
  after: string | null;
  prevHash: string;
  /** The entry's MAC (HMAC-SHA-256 with the key `keyId`), or its plain SHA-256 for entries from before keys. */
  hash: string;
  /** The audit key that sealed the entry; NULL for entries written before keyed MACs (migration 0011). */
  keyId: string | null;
}
