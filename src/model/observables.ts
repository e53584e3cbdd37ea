import { z } from 'zod';
import { isoTime } from './incident.js';
import { storedTime } from './stored-time.js';

/**
 * Observables: the values an incident's evidence carries that another incident, another team or a
 * partner's intelligence can name too (an address, a domain, a hash, an account). One record per
 * normalised (type, value) across every incident; each incident and alert it appeared in is a
 * sighting. See docs/observables.md.
 */

/** The kinds of observable Hindsight keeps. Stable names: they are stored, sent by the API and typed on the command line. */
export const OBSERVABLE_TYPES = [
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'file-name',
  'email',
  'user-account',
  'host',
  'process-command-line',
  'registry-key',
  'cloud-resource',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];
export const ObservableTypeSchema = z.enum(OBSERVABLE_TYPES);

/** Traffic Light Protocol 2.0 levels, least restrictive first (FIRST, TLP 2.0). */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpLevel = (typeof TLP_LEVELS)[number];
export const TlpLevelSchema = z.enum(TLP_LEVELS);

/** The marking of an incident that has none of its own: shared inside the organisation and with its clients on a need-to-know basis. */
export const DEFAULT_INCIDENT_TLP: TlpLevel = 'AMBER';

/** Whether something marked `level` may go where at most `max` is allowed (AMBER is allowed under RED, not under GREEN). */
export function tlpAllows(level: TlpLevel, max: TlpLevel): boolean {
  return TLP_LEVELS.indexOf(level) <= TLP_LEVELS.indexOf(max);
}

/** The more restrictive of two markings. */
export function stricterTlp(a: TlpLevel, b: TlpLevel): TlpLevel {
  return TLP_LEVELS.indexOf(a) >= TLP_LEVELS.indexOf(b) ? a : b;
}

/** A TLP level as people write it (`tlp:amber+strict`, `amber`, `TLP:WHITE`), or undefined. WHITE is TLP 1.0's name for CLEAR. */
export function parseTlp(text: string): TlpLevel | undefined {
  const upper = text.trim().toUpperCase().replace(/^TLP:\s*/, '');
  if (upper === 'WHITE') return 'CLEAR';
  return (TLP_LEVELS as readonly string[]).includes(upper) ? (upper as TlpLevel) : undefined;
}

/** Where an observable came from: an entity of imported evidence, or an analyst's hand. */
export const OBSERVABLE_ORIGINS = ['entity', 'manual'] as const;
export type ObservableOrigin = (typeof OBSERVABLE_ORIGINS)[number];

/** One appearance of an observable: in which incident, which alert (Hindsight's alert id; none for a hand-added one), when. */
export const ObservableSightingSchema = z.object({
  incidentId: z.string(),
  alertId: z.string().nullable(),
  at: storedTime,
  /** How the sighting was recorded. */
  source: z.enum(OBSERVABLE_ORIGINS),
});
export type ObservableSighting = z.infer<typeof ObservableSightingSchema>;

/** Tags are short labels: lower-case letters, digits and `-_.:/+=`, up to 64 characters. */
export const ObservableTagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_.:/+=-]{0,63}$/, 'a tag is 1-64 characters: letters, digits and - _ . : / + =');

export const ObservableSchema = z.object({
  /** `obs_` + 16 hex characters, derived from type and normalised value (the same everywhere). */
  id: z.string(),
  type: ObservableTypeSchema,
  /** The normalised value (see normaliseObservable). */
  value: z.string(),
  /** Marked by an analyst as an indicator of compromise: worth watching for and sharing. */
  ioc: z.boolean(),
  /**
   * The TLP marking: the observable's own when an analyst set one, otherwise that of the incident it
   * is read for (or, across incidents, the strictest of the incidents it was seen in).
   */
  tlp: TlpLevelSchema,
  /** Whether `tlp` is the observable's own marking rather than inherited from incidents. */
  tlpSet: z.boolean(),
  tags: z.array(z.string()),
  firstSeen: storedTime.nullable(),
  lastSeen: storedTime.nullable(),
  /** How it first came to Hindsight. */
  source: z.enum(OBSERVABLE_ORIGINS),
  /** The sightings the reader may see, most recent first, at most 100 (the counts and dates cover all of them). */
  sightings: z.array(ObservableSightingSchema),
  /** Incidents the reader may see it in ("seen in 3 incidents"). */
  incidentCount: z.number().int(),
  /** Sightings the reader may see, all of them. */
  sightingCount: z.number().int(),
});
export type Observable = z.infer<typeof ObservableSchema>;

/** An analyst adding an observable to an incident by hand. */
export const ObservableAddSchema = z.object({
  type: ObservableTypeSchema,
  value: z.string().min(1).max(32_768),
  ioc: z.boolean().optional(),
  tlp: TlpLevelSchema.optional(),
  tags: z.array(ObservableTagSchema).max(50).optional(),
  /** When it was seen (default: now). */
  at: isoTime.optional(),
});
export type ObservableAdd = z.infer<typeof ObservableAddSchema>;

/** A change to an observable's marks. `tlp: null` removes its own marking (it inherits again). */
export const ObservableMarkSchema = z.object({
  addTags: z.array(ObservableTagSchema).max(50).optional(),
  removeTags: z.array(ObservableTagSchema).max(50).optional(),
  ioc: z.boolean().optional(),
  tlp: TlpLevelSchema.nullable().optional(),
});
export type ObservableMark = z.infer<typeof ObservableMarkSchema>;

/** Filters of the observable list. */
export interface ObservableQuery {
  value?: string;
  type?: ObservableType;
  ioc?: boolean;
  incident?: string;
  limit?: number;
  offset?: number;
}
