/**
 * Learning across incidents: per-incident, per-alert and per-technique facts (migration 0003) and
 * the pre-aggregated day/week/month tables built from them (migration 0007). These are read and
 * written with aggregate SQL (store/learning/), so the types name what the SQL relies on.
 * Durations are log-scale bins (model/learning.ts); absent key values are '' and -1.
 */
interface Buckets {
  day: string;
  week: string;
  month: string;
  quarter: string;
}

interface Outcomes {
  misclassified: number;
  benignThenTp: number;
  reopened: number;
  escalated: number;
}

export interface LearningIncidentFactsTable extends Buckets {
  incidentId: string;
  contentHash: string;
  createdAt: string;
  severity: string;
  classification: string | null;
  determination: string | null;
  alerts: number;
  detectBin: number | null;
  ackBin: number | null;
  containBin: number | null;
  resolveBin: number | null;
}

export interface LearningAlertFactsTable extends Buckets, Outcomes {
  alertId: string;
  incidentId: string;
  createdAt: string;
  severity: string;
  classification: string | null;
  determination: string | null;
  product: string | null;
  assignedTo: string | null;
  triageBin: number | null;
  resolveBin: number | null;
}

export interface LearningTechniqueFactsTable extends Buckets, Outcomes {
  alertId: string;
  incidentId: string;
  techniqueId: string;
  createdAt: string;
  assignedTo: string | null;
  triageBin: number | null;
  resolveBin: number | null;
}

export interface LearningTechniqueSpansTable extends Buckets {
  incidentId: string;
  techniqueId: string;
}

interface Breakdown {
  severity: string;
  classification: string;
  determination: string;
}

type Period = { day: string; week: string; month: string; quarter: string } | { weekStart: string; week: string } | { month: string; quarter: string };

export type LearningIncidentsAggregate<P extends Period> = P & Breakdown & { incidents: number };
export type LearningAlertsAggregate<P extends Period> = P & Breakdown & { product: string; alerts: number };
export type LearningResponseAggregate<P extends Period> = P & { severity: string; metric: string; bin: number; incidents: number };

export interface LearningDayTechniquesTable extends Buckets {
  techniqueId: string;
  alerts: number;
  incidents: number;
}

export interface LearningTechniqueHistogram extends Outcomes {
  techniqueId: string;
  metric: 'triage' | 'resolve';
  bin: number;
  alerts: number;
}

export type DayPeriod = { day: string; week: string; month: string; quarter: string };
export type WeekPeriod = { weekStart: string; week: string };
export type MonthPeriod = { month: string; quarter: string };
