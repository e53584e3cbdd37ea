import type { JsonText } from '../json-text.js';

/** The team's CACAO playbook library (migration 0004): every version kept whole. */
export interface PlaybooksTable {
  id: string;
  name: string;
  currentVersion: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

export interface PlaybookVersionsTable {
  playbookId: string;
  version: number;
  /** The CACAO document, JSON (validated before it is written). */
  cacao: string;
  contentHash: string;
  techniques: JsonText<string[]>;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  drivenByIncidentId: string | null;
  drivenByFindingId: string | null;
}

export interface PlaybookTechniquesTable {
  playbookId: string;
  techniqueId: string;
}
