/**
 * Case-insensitive normalisation of source enum values. Microsoft's own examples mix
 * `TruePositive` and `truePositive`; Hindsight stores one canonical spelling for the values it
 * knows and keeps unknown values exactly as given.
 */
export function normaliseEnum<T extends string>(value: string | null | undefined, known: readonly T[]): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = String(value).trim();
  if (trimmed === '') return null;
  const folded = fold(trimmed);
  for (const k of known) if (fold(k) === folded) return k;
  return trimmed;
}

function fold(s: string): string {
  return s.replace(/[\s_-]/g, '').toLowerCase();
}

export const SEVERITY_VALUES = ['informational', 'low', 'medium', 'high', 'critical', 'unknown', 'unknownFutureValue'] as const;
export const INCIDENT_STATUS_VALUES = ['active', 'resolved', 'inProgress', 'redirected', 'awaitingAction', 'new', 'unknownFutureValue'] as const;
export const ALERT_STATUS_VALUES = ['new', 'inProgress', 'resolved', 'unknown', 'unknownFutureValue', 'active'] as const;
export const CLASSIFICATION_VALUES = [
  'unknown',
  'falsePositive',
  'truePositive',
  'informationalExpectedActivity',
  'unknownFutureValue',
] as const;
export const DETERMINATION_VALUES = [
  'unknown',
  'apt',
  'malware',
  'securityPersonnel',
  'securityTesting',
  'unwantedSoftware',
  'other',
  'multiStagedAttack',
  'compromisedAccount',
  'phishing',
  'maliciousUserActivity',
  'notMalicious',
  'notEnoughDataToValidate',
  'confirmedUserActivity',
  'lineOfBusinessApplication',
  'unknownFutureValue',
  // Spellings the Graph v1.0 docs also list, and the older Microsoft 365 Defender API's `NotAvailable`.
  'compromisedUser',
  'clean',
  'insufficientData',
  'confirmedActivity',
  'notAvailable',
] as const;
/** Graph alertEvidence `verdict`. */
export const EVIDENCE_VERDICT_VALUES = ['unknown', 'suspicious', 'malicious', 'noThreatsFound', 'unknownFutureValue'] as const;
/** Graph alertEvidence `remediationStatus`. */
export const EVIDENCE_REMEDIATION_STATUS_VALUES = [
  'none',
  'remediated',
  'prevented',
  'blocked',
  'notFound',
  'unknownFutureValue',
  'active',
  'pendingApproval',
  'declined',
  'unremediated',
  'running',
  'partiallyRemediated',
  'notRemediated',
] as const;

const SEVERITY_RANK: Record<string, number> = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 };

/** Orders severities (unknown values rank 0). */
export function severityRank(severity: string | null | undefined): number {
  if (!severity) return 0;
  return SEVERITY_RANK[severity.toLowerCase()] ?? 0;
}
