export * from './types.js';
export { resolveObservation, type ObservationInput, type ObservationNote, type ResolvedObservation } from './observation.js';
export { buildAttributionIndex, DEFAULT_PARAMS, type AttributionIndex, type AttributionParams, type AttributionSource } from './build-index.js';
export { rankCandidates, overlaps, DISTINCTIVE_SOFTWARE_GROUPS, MIN_INFORMATION } from './rank.js';
export { confidenceOf, CONFIDENCE_THRESHOLDS } from './verdict.js';
export * from './evaluate.js';
export {
  clusterIncidents,
  featuresOf,
  isOwnAddress,
  type ClusterableIncident,
  type ClusterOptions,
  type ClusterResult,
  type IncidentCluster,
  type IncidentLink,
  type Indicator,
  type IndicatorType,
} from './cluster.js';
