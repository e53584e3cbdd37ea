import type { KnowledgeBase } from '../attack/types.js';
import type { IncidentDetection } from '../analysis/coverage/detection.js';
import type { ProbablyAlsoHappened } from '../model/incident-analysis.js';
import { attributeIncident, type IncidentActors } from '../analysis/attribution/from-incident.js';
import { involvedEntities, type InvolvedEntity } from '../analysis/entities.js';
import { mapIncidentTechniques, type IncidentTechniqueMap } from '../analysis/incident-techniques.js';
import { buildTimeline } from '../analysis/timeline.js';
import { responseTimings, type ResponseTimings } from '../analysis/timings.js';
import type { StoredIncident, TimelineEvent } from '../model/index.js';
import type { ActionItem, Finding, ReviewRecord, ReviewSectionKey } from '../model/review.js';
import type { Completeness } from './completeness.js';
import type { ReviewTimelineEvent } from './timeline-merge.js';
import { severityRank } from '../model/index.js';
import type { AppliedTemplate, ReviewTask } from '../model/tasks.js';

export interface ReviewIncidentHeader {
  id: string;
  source: string;
  sourceFormat: string;
  sourceId: string;
  title: string;
  description: string | null;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  assignedTo: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  tags: string[];
  webUrl: string | null;
  alertCount: number;
}

export interface ReviewAlertLine {
  id: string;
  title: string;
  severity: string;
  status: string;
  classification: string | null;
  detectionSource: string | null;
  createdAt: string;
  firstActivityAt: string | null;
  techniques: string[];
}

/** The finished review of one incident, ready for any renderer. Later sections are optional. */
export interface ReviewReport {
  generatedAt: string;
  attack: { domain: string; version: string };
  incident: ReviewIncidentHeader;
  summary: string;
  /** The merged sequence of events; with the workflow, hand-written events and annotations included. */
  timeline: (TimelineEvent | ReviewTimelineEvent)[];
  techniques: IncidentTechniqueMap;
  entities: InvolvedEntity[];
  timings: ResponseTimings;
  alerts: ReviewAlertLine[];
  /** Who probably did it: attribution against ATT&CK groups and campaigns, or the statement that the evidence does not support it. */
  actors?: IncidentActors;
  /**
   * For each technique of the incident, the alerts that detected it or that the review confirmed it
   * without any alert (missed), and how many rules of the team's inventory map to it.
   */
  detection?: IncidentDetection & { rulesSource: string | null; probablyAlsoHappened?: ProbablyAlsoHappened };
  /** The review workflow's parts (present when the report is built from the stored review). */
  state?: ReviewStateView;
  sections?: ReviewSectionView[];
  questions?: ReviewQuestionView[];
  findings?: Finding[];
  actions?: ActionItem[];
  /** The template the review follows (its extra sections and questions, answered), and the review's tasks. */
  template?: AppliedTemplate | null;
  tasks?: ReviewTask[];
  completeness?: Completeness;
  /**
   * Set when the review was approved below full completeness: every format flags it at the top
   * with the approver's reason.
   */
  approvedIncomplete?: ApprovedIncomplete;
}

export interface ApprovedIncomplete {
  reason: string;
  approvedBy: string | null;
  approvedAt: string | null;
  /** The completeness as it stands now (0-100). */
  completenessScore: number | null;
}

/** The review's state and sign-off as the report shows it. */
export type ReviewStateView = ReviewRecord;

export interface ReviewSectionView {
  key: ReviewSectionKey;
  title: string;
  body: string;
  /** `generated`: built from the evidence, not yet confirmed by a person; `person`: written or confirmed. */
  source: 'generated' | 'person';
  /** 0 when never stored (the generated text). */
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface ReviewQuestionView {
  id: string;
  number: number;
  text: string;
  answer: string | null;
  version: number;
  answeredBy: string | null;
  answeredAt: string | null;
}

/** What a caller already knows about the incident, so the report need not work it out again. */
export interface ReviewReportInputs {
  /** The attribution of this incident's current content against this knowledge base (e.g. from a cache). */
  actors?: IncidentActors;
}

/** Builds the evidence-backed review of an incident. Pure apart from the clock (pass `now` to fix it). */
export function buildReviewReport(incident: StoredIncident, kb: KnowledgeBase, now: Date = new Date(), inputs: ReviewReportInputs = {}): ReviewReport {
  const timeline = buildTimeline(incident);
  const techniques = mapIncidentTechniques(incident, kb);
  const entities = involvedEntities(incident);
  const timings = responseTimings(incident, timeline);
  const alerts = [...incident.alerts]
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    .map((a) => ({
      id: a.sourceId,
      title: a.title,
      severity: a.severity,
      status: a.status,
      classification: a.classification,
      detectionSource: a.detectionSource ?? a.serviceSource,
      createdAt: a.createdAt,
      firstActivityAt: a.firstActivityAt,
      techniques: a.techniques,
    }));
  return {
    generatedAt: now.toISOString(),
    attack: { domain: kb.meta.domain, version: kb.meta.version },
    incident: {
      id: incident.id,
      source: incident.source,
      sourceFormat: incident.sourceFormat,
      sourceId: incident.sourceId,
      title: incident.title,
      description: incident.description,
      severity: incident.severity,
      status: incident.status,
      classification: incident.classification,
      determination: incident.determination,
      assignedTo: incident.assignedTo,
      createdAt: incident.createdAt,
      updatedAt: incident.updatedAt,
      resolvedAt: incident.resolvedAt,
      tags: incident.tags,
      webUrl: incident.webUrl,
      alertCount: incident.alerts.length,
    },
    summary: summarise(incident, techniques, entities, timings),
    actors: inputs.actors ?? attributeIncident(incident, kb),
    timeline,
    techniques,
    entities,
    timings,
    alerts,
  };
}

function summarise(incident: StoredIncident, techniques: IncidentTechniqueMap, entities: InvolvedEntity[], timings: ResponseTimings): string {
  const sentences: string[] = [];
  const alerts = incident.alerts;
  const sources = unique(alerts.map((a) => a.detectionSource ?? a.serviceSource).filter((s): s is string => Boolean(s)));
  const worst = alerts.reduce((w, a) => (severityRank(a.severity) > severityRank(w) ? a.severity : w), incident.severity);
  sentences.push(
    `${capitalise(incident.severity)}-severity incident "${incident.title}" (${incident.source} ${incident.sourceId}) grouped ${alerts.length} alert${alerts.length === 1 ? '' : 's'}` +
      (sources.length ? ` from ${listText(sources)}` : '') +
      (worst !== incident.severity ? `, the most severe rated ${worst}` : '') +
      '.',
  );
  if (timings.firstActivity && timings.detected) {
    const lastActivity = alerts.map((a) => a.lastActivityAt ?? a.createdAt).sort().at(-1);
    sentences.push(
      `Malicious activity was first seen at ${timings.firstActivity.at}` +
        (lastActivity && lastActivity !== timings.firstActivity.at ? ` and last at ${lastActivity}` : '') +
        `; the first alert was raised ${timings.timeToDetect ? `${timings.timeToDetect.text} after it began` : `at ${timings.detected.at}`}.`,
    );
  }
  if (techniques.tactics.length > 0) {
    const first = techniques.tactics[0];
    const last = techniques.tactics[techniques.tactics.length - 1];
    sentences.push(
      `The alerts map to ${techniques.techniqueIds.length} ATT&CK technique${techniques.techniqueIds.length === 1 ? '' : 's'} across ${techniques.tactics.length} tactic${techniques.tactics.length === 1 ? '' : 's'}` +
        (first && last && first !== last ? `, from ${first.name} to ${last.name}` : first ? ` (${first.name})` : '') +
        '.',
    );
  } else {
    sentences.push('No alert carried an ATT&CK technique.');
  }
  const counts = countKinds(entities);
  if (counts.length) sentences.push(`Evidence names ${listText(counts)}.`);
  const verdict = [incident.classification, incident.determination].filter(Boolean).join(', ');
  const status = incident.status.toLowerCase() === 'resolved'
    ? `It was resolved${timings.timeToResolve ? ` ${timings.timeToResolve.text} after detection` : ''}`
    : `It is ${incident.status}`;
  sentences.push(`${status}${verdict ? `, classified ${verdict}` : ''}.`);
  return sentences.join(' ');
}

function countKinds(entities: InvolvedEntity[]): string[] {
  const labels: Record<string, [string, string]> = {
    user: ['user', 'users'],
    device: ['device', 'devices'],
    mailbox: ['mailbox', 'mailboxes'],
    mailMessage: ['email message', 'email messages'],
    ip: ['IP address', 'IP addresses'],
    url: ['URL', 'URLs'],
    file: ['file', 'files'],
    process: ['process', 'processes'],
    cloudApplication: ['cloud application', 'cloud applications'],
  };
  const out: string[] = [];
  for (const [kind, [one, many]] of Object.entries(labels)) {
    const n = entities.filter((e) => e.kind === kind).length;
    if (n > 0) out.push(`${n} ${n === 1 ? one : many}`);
  }
  return out;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function capitalise(s: string): string {
  return s ? s[0]?.toUpperCase() + s.slice(1) : s;
}

function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
