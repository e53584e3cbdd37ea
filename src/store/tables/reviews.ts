import type { ResponsePhase } from '../../model/timeline.js';
import type {
  ActionPriority,
  ActionStatus,
  ActionType,
  FindingCategory,
  FindingSeverity,
  ReviewEntityType,
  ReviewSectionKey,
  ReviewState,
  Sufficiency,
} from '../../model/review.js';
import type { Flag, JsonText } from '../json-text.js';

/** The review workflow (migrations 0002 and 0006). Every editable row carries a `version`. */
export interface ReviewsTable {
  incidentId: string;
  state: ReviewState;
  requiredBy: string | null;
  waiverReason: string | null;
  submittedBy: string | null;
  submittedAt: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  sufficiency: Sufficiency | null;
  sufficiencyNotes: string | null;
  completenessOverride: string | null;
  closedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface ReviewSectionsTable {
  incidentId: string;
  section: ReviewSectionKey;
  body: string;
  source: 'generated' | 'person';
  version: number;
  updatedBy: string;
  updatedAt: string;
}

export interface ReviewAnswersTable {
  incidentId: string;
  questionId: string;
  answer: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

export interface ReviewTimelineEventsTable {
  id: string;
  incidentId: string;
  at: string;
  title: string;
  detail: string | null;
  phase: ResponsePhase | null;
  keyMoment: Flag;
  actor: string | null;
  techniques: JsonText<string[]>;
  evidence: JsonText<string[]>;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

export interface ReviewTimelineAnnotationsTable {
  incidentId: string;
  eventId: string;
  phase: ResponsePhase | null;
  /** NULL: keep the key-moment flag the data gave. */
  keyMoment: Flag | null;
  hidden: Flag;
  hiddenReason: string | null;
  note: string | null;
  evidence: JsonText<string[]>;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

export interface ReviewFindingsTable {
  id: string;
  incidentId: string;
  category: FindingCategory;
  title: string;
  description: string;
  severity: FindingSeverity;
  contributingFactors: JsonText<string[]>;
  timelineEventIds: JsonText<string[]>;
  techniques: JsonText<string[]>;
  evidence: JsonText<string[]>;
  acceptedRisk: string | null;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

export interface ReviewActionItemsTable {
  id: string;
  incidentId: string;
  findingId: string | null;
  type: ActionType;
  title: string;
  description: string;
  owner: string | null;
  team: string | null;
  dueDate: string | null;
  priority: ActionPriority;
  status: ActionStatus;
  wontDoReason: string | null;
  closureCriteria: string | null;
  verifiedBy: string | null;
  verifiedAt: string | null;
  verificationMethod: string | null;
  verificationEvidence: string | null;
  externalSystem: string | null;
  externalKey: string | null;
  externalUrl: string | null;
  externalState: string | null;
  syncedAt: string | null;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** One recorded change to a review: who changed which field of what, from what to what. */
export interface ReviewChangesTable {
  id: string;
  incidentId: string;
  entityType: ReviewEntityType;
  entityId: string;
  field: string;
  /** JSON text of the value before and after; NULL for none. */
  before: string | null;
  after: string | null;
  actor: string;
  at: string;
  version: number;
}

/** Techniques a review confirmed for an incident (migration 0006). */
export interface ReviewConfirmedTechniquesTable {
  incidentId: string;
  techniqueId: string;
  confirmedBy: string | null;
  confirmedAt: string;
  note: string | null;
}
