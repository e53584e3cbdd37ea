/** The incidents family: importing, reading, listing and counting incidents and their alerts. */
export { IncidentImporter } from './importer.js';
export type { PartialAlertFields, PartialIncidentDeriver, PartialIncidentFields } from './partial-incidents.js';
export { getIncident, type ReadOptions } from './read.js';
export { listIncidents, queryIncidents, storedListValues, type IncidentFilter, type IncidentListItem, type IncidentQuery, type ListExtra } from './list.js';
export { incidentIdBySentinelNumber, resolveIncidentRef } from './refs.js';
export { techniqueCounts, type TechniqueCount } from './technique-counts.js';
export { storedIncidentVersions, type StoredIncidentVersion } from './versions.js';
export { readAttribution, staleAttributions, writeAttribution, type IncidentCursor } from './attribution.js';
