import { z } from 'zod';
import { IntelIndicatorSchema, IntelSightingSchema } from '../../model/intel.js';
import { ObservableSchema, TlpLevelSchema } from '../../model/observables.js';
import { nameSchema } from './registry.js';

/** Observables and shared intelligence in the API (docs/observables.md, docs/intel.md). */
nameSchema(ObservableSchema, 'Observable', 'A value seen in incidents (IP, domain, URL, hash, account...), normalised, with its marks and where it was seen.');
nameSchema(IntelIndicatorSchema, 'IntelIndicator', "An indicator from a partner's STIX 2.1 bundle or MISP event.");
nameSchema(IntelSightingSchema, 'IntelSighting', 'An indicator and the incidents in which what it describes was seen.');

export const ObservablePageSchema = z.object({ total: z.number().int(), observables: z.array(ObservableSchema) });
export const IncidentObservablesSchema = z.object({ incidentId: z.string(), tlp: TlpLevelSchema, observables: z.array(ObservableSchema) });
export const IncidentTlpSchema = z.object({ incidentId: z.string(), tlp: TlpLevelSchema });
export const IndicatorPageSchema = z.object({ total: z.number().int(), indicators: z.array(IntelIndicatorSchema) });
export const IntelSightingsSchema = z.object({ sightings: z.array(IntelSightingSchema) });
export const IntelImportAnswerSchema = z.object({
  indicators: z.number().int(),
  sightings: z.array(IntelSightingSchema),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  unevaluable: z.array(IntelIndicatorSchema),
});
