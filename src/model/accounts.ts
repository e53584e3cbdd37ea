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

/** An API token as it is listed (never the token itself: only its sha256 is stored). */
export const ApiTokenInfoSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiTokenInfo = z.infer<typeof ApiTokenInfoSchema>;
