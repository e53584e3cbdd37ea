import { z } from 'zod';
import { nameSchema } from './registry.js';

/** The one shape of every error body the API sends. */
export const ErrorBodySchema = z.object({
  error: z.object({
    /** Machine-readable: `invalid-input`, `unauthenticated`, `forbidden`, `csrf`, `not-found`, `conflict`, `invalid-state`, `rate-limited`, ... */
    code: z.string(),
    message: z.string(),
    /** Where the input was wrong (validation problems, a file location), when known. */
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
nameSchema(ErrorBodySchema, 'ErrorBody');

/** The error statuses a route can answer, with what each means. */
const ERROR_STATUSES = {
  400: 'The input is invalid (`invalid-input`, with details).',
  401: 'Not signed in, or the API token is unknown or revoked (`unauthenticated`), or the sign-in failed (`bad-credentials`).',
  403: 'The role is below what the route needs (`forbidden`), or a session write without the CSRF header (`csrf`).',
  404: 'It does not exist, or it is restricted to other people (`not-found`).',
  409: 'The write is based on a stale version (`conflict`), or the review state does not allow it (`invalid-state`).',
  413: 'The upload is too large (`too-large`).',
  415: 'The upload is not multipart/form-data (`unsupported-media-type`).',
  429: 'Too many attempts: wait a minute (`rate-limited`).',
  503: 'Busy or briefly unavailable (`unavailable`): the database is locked, or too many PDFs are waiting to print; try again after Retry-After seconds.',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;

/** Response entries (OpenAPI content form) for the error statuses given, each with the shared error body. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, { description: string; content: { 'application/json': { schema: typeof ErrorBodySchema } } }> {
  const out = {} as Record<S, { description: string; content: { 'application/json': { schema: typeof ErrorBodySchema } } }>;
  for (const status of statuses) out[status] = { description: ERROR_STATUSES[status], content: { 'application/json': { schema: ErrorBodySchema } } };
  return out;
}
