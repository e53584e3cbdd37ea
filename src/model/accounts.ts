import { z } from 'zod';
import { ROLES } from './roles.js';

/** A `person` signs in; a `service` account cannot sign in interactively and only holds API tokens. */
export const USER_KINDS = ['person', 'service'] as const;
export type UserKind = (typeof USER_KINDS)[number];

/** A local account of the team server (never its password hash). */
export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  kind: z.enum(USER_KINDS),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  createdAt: z.string(),
  /** A generated first password: until it is changed, the API answers nothing but the change and sign-out. */
  mustChangePassword: z.boolean(),
});
export type User = z.infer<typeof UserSchema>;

/** Who is asking, as far as incident access cares. */
export type Reader = Pick<User, 'username' | 'role'>;

/**
 * What an API token may do: `read` the viewer's routes, `write` the analyst's and reviewer's too,
 * `admin` everything. At each request the token acts with the lower of its scope and its owner's
 * current role, so a demoted owner's tokens shrink with them.
 */
export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Why a token stopped working before it expired (`issued-for-another`: an admin made it for another person before only owners could; revoked by the upgrade). */
export const TOKEN_REVOCATIONS = ['revoked', 'password-changed', 'user-disabled', 'issued-for-another'] as const;
export type TokenRevocation = (typeof TOKEN_REVOCATIONS)[number];

/** An API token as it is listed (never the token itself: only its sha256 is stored). */
export const ApiTokenInfoSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  scope: z.enum(TOKEN_SCOPES),
  createdAt: z.string(),
  /** Null only for a token from before expiry existed that the upgrade did not reach. */
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedReason: z.enum(TOKEN_REVOCATIONS).nullable(),
});
export type ApiTokenInfo = z.infer<typeof ApiTokenInfoSchema>;
