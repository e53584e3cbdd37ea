import { z } from 'zod';

/** How people sign in to this server: what the sign-in screen offers. */
export const AuthConfigSchema = z.object({
  /** Password sign-in is on (off with --oidc-only). */
  password: z.boolean(),
  /** Single sign-on, when configured. */
  oidc: z
    .object({
      /** The button reads "Sign in with <providerName>". */
      providerName: z.string(),
      /** Where the button goes (add `returnTo=/path` to land there). */
      loginUrl: z.string(),
    })
    .nullable(),
});

export const PasswordChangeBody = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});
