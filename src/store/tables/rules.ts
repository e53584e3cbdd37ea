import type { Flag, JsonText } from '../json-text.js';

/** The stored rule inventory (migration 0019): imports, rules, per-import changes. */
export interface RuleImportsTable {
  id: string;
  importedAt: string;
  importedBy: string;
  paths: JsonText<string[]>;
  format: string;
  rules: number;
  added: number;
  changed: number;
  removed: number;
  techniquesCovered: number;
  coveredTechniques: JsonText<string[]>;
}

export interface RuleInventoryTable {
  ruleId: string;
  title: string;
  format: string;
  status: string | null;
  deprecated: Flag;
  techniques: JsonText<string[]>;
  sourceFile: string;
  contentHash: string;
  addedImportId: string;
  changedImportId: string;
}

export type RuleChangeKind = 'added' | 'changed' | 'removed';

export interface RuleImportChangesTable {
  importId: string;
  ruleId: string;
  change: RuleChangeKind;
  title: string;
  techniques: JsonText<string[]>;
}

export type DetectionVerificationState = 'pending' | 'verified' | 'regressed';

/** The evidence that verified a detection-engineering action item (or was lost). */
export interface DetectionEvidence {
  importId: string;
  at: string;
  rules: { id: string; title: string; techniques: string[] }[];
  /** Techniques the item names that no live rule covers (when regressed or pending). */
  uncovered: string[];
}

export interface ActionItemDetectionsTable {
  actionItemId: string;
  techniques: JsonText<string[]>;
  state: DetectionVerificationState;
  evidence: JsonText<DetectionEvidence> | null;
  importId: string | null;
  checkedAt: string;
}

export interface InferenceDismissalsTable {
  incidentId: string;
  techniqueId: string;
  dismissedBy: string;
  dismissedAt: string;
  reason: string | null;
}
