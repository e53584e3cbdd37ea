import { z } from 'zod';
import { ApiTokenInfoSchema, UserSchema } from '../../model/accounts.js';
import { nameSchema } from './registry.js';

nameSchema(UserSchema, 'User', 'An account of the team server (never its password).');
nameSchema(ApiTokenInfoSchema, 'ApiToken', 'An API token as listed (never the token itself).');

export { ApiTokenInfoSchema, UserSchema };

export const SignedInSchema = z.object({
  user: UserSchema,
  /** The token every write signed in with the session cookie must send in `csrfHeader`. */
  csrfToken: z.string(),
  csrfHeader: z.string(),
  expiresAt: z.string(),
});

export const MeSchema = z.object({
  user: UserSchema,
  /** How this request was signed in. */
  via: z.enum(['session', 'token']).optional(),
  /** The CSRF token of the session (null when signed in with an API token). */
  csrfToken: z.string().nullable(),
  csrfHeader: z.string(),
  /** What the user's role may do, in words. */
  can: z.string(),
});

export const OkSchema = z.object({ ok: z.boolean() });
