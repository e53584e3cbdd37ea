/** Detection coverage gaps: rules x ATT&CK x incidents x threat relevance (pure functions). */
export {
  computeCoverage,
  coverageIndexOf,
  alertOutcome,
  recommendationFor,
  TechniqueResolver,
  PARENT_RULE_CREDIT,
  PARENT_OWN_RULE_BASE,
  DEFAULT_MISSED_WEIGHT,
  DEFAULT_OBSERVED_RELEVANCE,
} from './compute.js';
export type { CoverageIndex } from './compute.js';
export { detectionForIncident } from './detection.js';
export type { IncidentDetection, IncidentTechniqueDetection } from './detection.js';
export type * from './types.js';
export { EMPTY_INCIDENT_AGGREGATE } from './types.js';
