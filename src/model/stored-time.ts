import { z } from 'zod';

/**
 * A UTC ISO-8601 time the server itself wrote (stored at import, or computed from stored times):
 * documented as `date-time` in the API, and not checked again on its way out, which would cost
 * every answer a pattern match per time for nothing. Times a client sends use `isoTime`.
 */
export const storedTime = z.string().meta({ format: 'date-time' });
