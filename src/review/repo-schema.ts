/** Kysely table types of the review workflow (migration `0002-review-workflow`). */

export type ReviewsTable = {
  incident_id: string;
  state: string;
  required_by: string | null;
  waiver_reason: string | null;
  submitted_by: string | null;
  submitted_at: string | null;
  approved_by: string | null;
  approved_at: string | null;
  sufficiency: string | null;
  sufficiency_notes: string | null;
  completeness_override: string | null;
  closed_at: string | null;
  closed_by: string | null;
  close_reason: string | null;
  version: number;
  updated_by: string | null;
  updated_at: string | null;
};

export type ReviewSectionsTable = {
  incident_id: string;
  section: string;
  body: string;
  source: string;
  version: number;
  updated_by: string;
  updated_at: string;
};

export type ReviewAnswersTable = {
  incident_id: string;
  question_id: string;
  answer: string;
  version: number;
  updated_by: string;
  updated_at: string;
};

export type ReviewTimelineEventsTable = {
  id: string;
  incident_id: string;
  at: string;
  title: string;
  detail: string | null;
  phase: string | null;
  key_moment: number;
  actor: string | null;
  /** JSON array. */
  techniques: string;
  /** JSON array. */
  evidence: string;
  version: number;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
};

export type ReviewTimelineAnnotationsTable = {
  incident_id: string;
  event_id: string;
  phase: string | null;
  key_moment: number | null;
  hidden: number;
  hidden_reason: string | null;
  note: string | null;
  evidence: string;
  version: number;
  updated_by: string;
  updated_at: string;
};

export type ReviewFindingsTable = {
  id: string;
  incident_id: string;
  category: string;
  title: string;
  description: string;
  severity: string;
  contributing_factors: string;
  timeline_event_ids: string;
  techniques: string;
  evidence: string;
  accepted_risk: string | null;
  version: number;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
};

export type ReviewActionItemsTable = {
  id: string;
  incident_id: string;
  finding_id: string | null;
  type: string;
  title: string;
  description: string;
  owner: string | null;
  team: string | null;
  due_date: string | null;
  priority: string;
  status: string;
  wont_do_reason: string | null;
  closure_criteria: string | null;
  verified_by: string | null;
  verified_at: string | null;
  verification_method: string | null;
  verification_evidence: string | null;
  external_system: string | null;
  external_key: string | null;
  external_url: string | null;
  external_state: string | null;
  synced_at: string | null;
  version: number;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
};

export type ReviewChangesTable = {
  id: string;
  incident_id: string;
  entity_type: string;
  entity_id: string;
  field: string;
  before: string | null;
  after: string | null;
  actor: string;
  at: string;
  version: number;
};

export type ReviewTables = {
  reviews: ReviewsTable;
  review_sections: ReviewSectionsTable;
  review_answers: ReviewAnswersTable;
  review_timeline_events: ReviewTimelineEventsTable;
  review_timeline_annotations: ReviewTimelineAnnotationsTable;
  review_findings: ReviewFindingsTable;
  review_action_items: ReviewActionItemsTable;
  review_changes: ReviewChangesTable;
};
