import type { TaskStatus } from '../../model/tasks.js';
import type { JsonText } from '../json-text.js';

/** A review's tasks (migration 0015). */
export interface ReviewTasksTable {
  id: string;
  incidentId: string;
  title: string;
  description: string;
  /** A username or an e-mail address; NULL: not assigned yet. */
  assignee: string | null;
  role: string | null;
  /** YYYY-MM-DD. */
  dueDate: string | null;
  status: TaskStatus;
  templateId: string | null;
  templateKey: string | null;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** The template an incident's review follows, with the template as it was applied (migration 0015). */
export interface ReviewTemplatesAppliedTable {
  incidentId: string;
  templateId: string;
  templateVersion: number;
  chosenBy: 'rule' | 'hand';
  reasons: JsonText<string[]>;
  /** The template as applied (validated by the use cases that read it). */
  snapshot: JsonText<unknown>;
  version: number;
  updatedBy: string;
  updatedAt: string;
}
