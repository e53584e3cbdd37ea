import { z } from 'zod';
import { TlpLevelSchema } from './observables.js';
import { storedTime } from './stored-time.js';

/**
 * Shared intelligence: indicators imported from partners' STIX 2.1 bundles and MISP events, and
 * where Hindsight has seen what they describe. See docs/intel.md.
 */

export const INTEL_FORMATS = ['stix', 'misp'] as const;
export const INDICATOR_EVALUATIONS = ['evaluable', 'partial', 'unevaluable'] as const;

export const IntelIndicatorSchema = z.object({
  /** `ind_` + 16 hex characters of sha256(format NUL external id): the same on every re-import. */
  id: z.string(),
  format: z.enum(INTEL_FORMATS),
  /** The STIX indicator id (`indicator--…`) or the MISP attribute's uuid. */
  externalId: z.string(),
  name: z.string().nullable(),
  /** The STIX pattern as given, or the MISP attribute as `type: value`. */
  pattern: z.string(),
  /** `stix` for STIX patterns (other pattern languages are stored, not evaluated), `misp` for MISP attributes. */
  patternType: z.string(),
  /** Whether Hindsight matches it against observables: wholly, partly (some OR branches), or not at all. */
  evaluation: z.enum(INDICATOR_EVALUATIONS),
  /** Why (part of) it is not evaluated. */
  reasons: z.array(z.string()),
  /** TLP 2.0 marking given by the producer (object_marking_refs, MISP tlp: tags); null when unmarked. */
  tlp: TlpLevelSchema.nullable(),
  /** Who published it: the STIX identity's name or the MISP organisation. */
  producer: z.string().nullable(),
  /** The file it was last imported from. */
  sourceFile: z.string(),
  validFrom: z.string().nullable(),
  validUntil: z.string().nullable(),
  labels: z.array(z.string()),
  importedAt: storedTime,
});
export type IntelIndicator = z.infer<typeof IntelIndicatorSchema>;

/** An indicator and the incidents (that the reader may see) in which what it describes was seen. */
export const IntelSightingSchema = z.object({
  indicator: IntelIndicatorSchema,
  incidents: z.array(z.string()),
});
export type IntelSighting = z.infer<typeof IntelSightingSchema>;

/** What `hindsight intel import --json` prints: indicators read from the files, and their sightings. */
export const IntelImportReportSchema = z.object({
  indicators: z.number().int(),
  sightings: z.array(IntelSightingSchema),
});
export type IntelImportReport = z.infer<typeof IntelImportReportSchema>;
