import type { AlertsTable, AlertTechniquesTable, CommentsTable, EntitiesTable, IncidentAttributionTable, IncidentSearchKeysTable, IncidentSearchTable, IncidentsTable, StatusChangesTable } from './tables/incidents.js';
import type { ApiTokensTable, AuditLogTable, IncidentAccessTable, SessionsTable, UsersTable } from './tables/accounts.js';
import type { SignInFlowsTable } from './tables/sign-in.js';
import type {
  DayPeriod,
  LearningAlertFactsTable,
  LearningAlertsAggregate,
  LearningDayTechniquesTable,
  LearningIncidentFactsTable,
  LearningIncidentsAggregate,
  LearningResponseAggregate,
  LearningTechniqueFactsTable,
  LearningTechniqueHistogram,
  LearningTechniqueSpansTable,
  MonthPeriod,
  WeekPeriod,
} from './tables/learning.js';
import type { ConnectorLeasesTable, ConnectorRunsTable, ConnectorsTable } from './tables/connectors.js';
import type { NotificationDeliveriesTable, NotificationEventsTable, NotificationLeasesTable, NotificationPreferencesTable, NotificationSettingsTable } from './tables/notifications.js';
import type { ReviewTasksTable, ReviewTemplatesAppliedTable } from './tables/review-tasks.js';
import type { IncidentMarkingsTable, IntelIndicatorsTable, IntelTermsTable, ObservableSightingsTable, ObservablesTable } from './tables/observables.js';
import type { PlaybooksTable, PlaybookTechniquesTable, PlaybookVersionsTable } from './tables/playbooks.js';
import type {
  ReviewActionItemsTable,
  ReviewAnswersTable,
  ReviewChangesTable,
  ReviewConfirmedTechniquesTable,
  ReviewFindingsTable,
  ReviewSectionsTable,
  ReviewsTable,
  ReviewTimelineAnnotationsTable,
  ReviewTimelineEventsTable,
} from './tables/reviews.js';
import type { ActionItemDetectionsTable, InferenceDismissalsTable, RuleImportChangesTable, RuleImportsTable, RuleInventoryTable } from './tables/rules.js';

export type * from './tables/incidents.js';
export type * from './tables/accounts.js';
export type * from './tables/playbooks.js';
export type * from './tables/reviews.js';
export type * from './tables/review-tasks.js';
export type * from './tables/learning.js';
export type * from './tables/connectors.js';
export type * from './tables/notifications.js';
export type * from './tables/observables.js';
export type * from './tables/rules.js';

/**
 * Every table of the store, one type: what the migrations create, with each column's real type
 * (unions for enumerations, the JSON shape of JSON text, 0/1 flags). Properties are camelCase; the
 * store's Kysely instance maps them to the database's snake_case names.
 */
export interface Database {
  incidents: IncidentsTable;
  alerts: AlertsTable;
  alertTechniques: AlertTechniquesTable;
  entities: EntitiesTable;
  comments: CommentsTable;
  statusChanges: StatusChangesTable;
  incidentAttribution: IncidentAttributionTable;
  incidentSearch: IncidentSearchTable;
  incidentSearchKeys: IncidentSearchKeysTable;

  reviews: ReviewsTable;
  reviewSections: ReviewSectionsTable;
  reviewAnswers: ReviewAnswersTable;
  reviewTimelineEvents: ReviewTimelineEventsTable;
  reviewTimelineAnnotations: ReviewTimelineAnnotationsTable;
  reviewFindings: ReviewFindingsTable;
  reviewActionItems: ReviewActionItemsTable;
  reviewChanges: ReviewChangesTable;
  reviewConfirmedTechniques: ReviewConfirmedTechniquesTable;
  reviewTasks: ReviewTasksTable;
  reviewTemplatesApplied: ReviewTemplatesAppliedTable;

  users: UsersTable;
  sessions: SessionsTable;
  apiTokens: ApiTokensTable;
  incidentAccess: IncidentAccessTable;
  auditLog: AuditLogTable;
  signInFlows: SignInFlowsTable;

  playbooks: PlaybooksTable;
  playbookVersions: PlaybookVersionsTable;
  playbookTechniques: PlaybookTechniquesTable;

  connectors: ConnectorsTable;
  connectorRuns: ConnectorRunsTable;
  connectorLeases: ConnectorLeasesTable;

  notificationEvents: NotificationEventsTable;
  notificationDeliveries: NotificationDeliveriesTable;
  notificationPreferences: NotificationPreferencesTable;
  notificationSettings: NotificationSettingsTable;
  notificationLeases: NotificationLeasesTable;
  observables: ObservablesTable;
  observableSightings: ObservableSightingsTable;
  incidentMarkings: IncidentMarkingsTable;
  intelIndicators: IntelIndicatorsTable;
  intelTerms: IntelTermsTable;
  ruleImports: RuleImportsTable;
  ruleInventory: RuleInventoryTable;
  ruleImportChanges: RuleImportChangesTable;
  actionItemDetections: ActionItemDetectionsTable;
  inferenceDismissals: InferenceDismissalsTable;

  learningIncidentFacts: LearningIncidentFactsTable;
  learningAlertFacts: LearningAlertFactsTable;
  learningTechniqueFacts: LearningTechniqueFactsTable;
  learningTechniqueSpans: LearningTechniqueSpansTable;
  learningDayIncidents: LearningIncidentsAggregate<DayPeriod>;
  learningWeekIncidents: LearningIncidentsAggregate<WeekPeriod>;
  learningMonthIncidents: LearningIncidentsAggregate<MonthPeriod>;
  learningDayAlerts: LearningAlertsAggregate<DayPeriod>;
  learningWeekAlerts: LearningAlertsAggregate<WeekPeriod>;
  learningMonthAlerts: LearningAlertsAggregate<MonthPeriod>;
  learningDayResponse: LearningResponseAggregate<DayPeriod>;
  learningWeekResponse: LearningResponseAggregate<WeekPeriod>;
  learningMonthResponse: LearningResponseAggregate<MonthPeriod>;
  learningDayTechniques: LearningDayTechniquesTable;
  learningDayTechniqueHist: LearningTechniqueHistogram & { day: string };
  learningMonthTechniqueHist: LearningTechniqueHistogram & { month: string };
  learningMonthAnalystHist: LearningTechniqueHistogram & { month: string; analyst: string };
}
