export * from './incident.js';
export * from './enums.js';
export * from './errors.js';
export * from './timeline.js';
export * from './review.js';
export * from './observables.js';
export * from './observable-values.js';
export * from './observable-extract.js';
