import { api, dataOf, type Answer, type ReviewReport, type Schemas } from '../api';
import type { Run } from './ReviewTransitions';

/** What the review screen reads: the incident's report, its review record and the stored edits. */
export type ReviewDetail = Answer<'get', '/api/incidents/{id}'>;
export type ReviewEvent = Schemas['ReviewTimelineEvent'];
export type ReviewEntity = ReviewReport['entities'][number];
export type ReviewAlert = ReviewReport['alerts'][number];

/** What every part of the review screen needs from the screen. */
export interface ReviewParts {
  incidentId: string;
  /** The review's content may change (an analyst, and a state that allows edits). */
  editable: boolean;
  run: Run;
  /** Reads the incident again now (to show a colleague's version after a conflict). */
  fetchLatest: () => Promise<ReviewDetail>;
  /** Tell the screen something was saved (shows the message, reloads). */
  saved: (what: string) => void;
}

export function fetchDetail(incidentId: string): Promise<ReviewDetail> {
  return dataOf(api.GET('/api/incidents/{id}', { params: { path: { id: incidentId } } }));
}

/** The incident detail's timeline is always the review's (merged, annotated). */
export function isReviewEvent(event: ReviewReport['timeline'][number]): event is ReviewEvent {
  return 'hidden' in event;
}

/** Moves focus to an element of the screen (a timeline row, an alert) without changing the route. */
export function focusElement(id: string): void {
  const el = document.getElementById(id);
  if (!el) return;
  el.scrollIntoView({ block: 'center' });
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: true });
}

/** The id of a timeline row's element, for links from alerts, entities and findings. */
export const eventAnchor = (id: string) => `ev-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The id of an entity's row, for links from the timeline. */
export const entityAnchor = (e: Pick<ReviewEntity, 'kind' | 'key'>) => `entity-${e.kind}-${e.key}`.replace(/[^A-Za-z0-9_-]/g, '_');
