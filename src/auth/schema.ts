/** Kysely table types of the team server's tables (migration 0005-auth-audit). */

export type UsersTable = {
  id: string;
  username: string;
  display_name: string | null;
  role: string;
  /** `scrypt$N$r$p$salt$hash` (base64url), or NULL for an account that cannot sign in with a password. */
  password_hash: string | null;
  disabled: number;
  created_at: string;
};

export type SessionsTable = {
  /** sha256 (hex) of the cookie's value. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
};

export type ApiTokensTable = {
  id: string;
  user_id: string;
  name: string;
  /** sha256 (hex) of the token. */
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

export type IncidentAccessTable = {
  incident_id: string;
  username: string;
};

export type AuditLogTable = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  /** Canonical JSON, or NULL. */
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
};

export type AuthTables = {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  incident_access: IncidentAccessTable;
  audit_log: AuditLogTable;
};
