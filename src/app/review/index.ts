/**
 * The post-incident review's use cases, the same for the command line and the server: lifecycle
 * transitions, sections and answers, timeline, findings, action items, history and completeness,
 * the review policy, and the tracker integrations. Every write records its audit entry in its own
 * transaction; the state machine itself is the pure `review/lifecycle`.
 */
export * from './action-items.js';
export * from './content.js';
export * from './findings.js';
export * from './lifecycle.js';
export * from './policy.js';
export * from './sections.js';
export * from './timeline.js';
export * from './trackers.js';
export type { ReviewWrite } from './write.js';
