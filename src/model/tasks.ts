import { z } from 'zod';
import { isoTime } from './incident.js';

/**
 * Review tasks (the work a review template or a person lays out: "restore from backup", "reset the
 * account's MFA"), the review template an incident's review follows, the people owners and
 * assignees are picked from, and "my work". One schema per type: the TypeScript type, the API's
 * schema and the input validation.
 */

export const TASK_STATUSES = ['open', 'in-progress', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** Statuses a task is finished in: never overdue, never reminded. */
export const CLOSED_TASK_STATUSES: readonly TaskStatus[] = ['done', 'cancelled'];

/** True for a real calendar day written YYYY-MM-DD (2026-02-30 is refused). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** A calendar day, YYYY-MM-DD, that exists. */
export const calendarDate = z.string().refine(isCalendarDate, { message: 'a real calendar date such as 2026-04-30' });

/** E-mail addresses as the account schema accepts them. */
export function isEmailAddress(value: string): boolean {
  return value.length <= 320 && z.email().safeParse(value).success;
}

const title = z.string().trim().min(1, 'a task needs a title').max(500);
/** A username of the team server or an e-mail address; checked against the accounts by the use case. */
const assignee = z.string().trim().min(1).max(320);

export const TaskInputSchema = z.strictObject({
  title,
  description: z.string().max(20_000).default(''),
  assignee: assignee.nullable().default(null),
  /** Who should take it when nobody is named yet, e.g. `incident commander`. */
  role: z.string().trim().max(200).nullable().default(null),
  dueDate: calendarDate.nullable().default(null),
});
export type TaskInput = z.input<typeof TaskInputSchema>;

export const TaskPatchSchema = z.strictObject({
  title: title.optional(),
  description: z.string().max(20_000).optional(),
  assignee: assignee.nullable().optional(),
  role: z.string().trim().max(200).nullable().optional(),
  dueDate: calendarDate.nullable().optional(),
  status: z.enum(TASK_STATUSES).optional(),
});
export type TaskPatch = z.input<typeof TaskPatchSchema>;

export const ReviewTaskSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  title: z.string(),
  description: z.string(),
  assignee: z.string().nullable(),
  role: z.string().nullable(),
  dueDate: z.string().nullable(),
  status: z.enum(TASK_STATUSES),
  /** The template the task came from, and the task's key in it; null for a task a person added. */
  templateId: z.string().nullable(),
  templateKey: z.string().nullable(),
  /** Past its due date and not done or cancelled (computed on reading, against today in UTC). */
  overdue: z.boolean(),
  version: z.number().int(),
  createdBy: z.string(),
  createdAt: isoTime,
  updatedBy: z.string(),
  updatedAt: isoTime,
});
export type ReviewTask = z.infer<typeof ReviewTaskSchema>;

/** A prompt a template adds to the review: a section to write or a question to answer. */
export const TemplatePromptViewSchema = z.object({
  /** The stored answer's id: `<template>.<key>`. */
  id: z.string(),
  key: z.string(),
  title: z.string(),
  guidance: z.string(),
  answer: z.string().nullable(),
  version: z.number().int(),
  answeredBy: z.string().nullable(),
  answeredAt: z.string().nullable(),
});
export type TemplatePromptView = z.infer<typeof TemplatePromptViewSchema>;

/** The template an incident's review follows, as applied (the snapshot kept with the review). */
export const AppliedTemplateSchema = z.object({
  templateId: z.string(),
  name: z.string(),
  templateVersion: z.number().int(),
  /** `rule`: chosen by its selection rule; `hand`: chosen by a person. */
  chosenBy: z.enum(['rule', 'hand']),
  /** The conditions that matched, in words (empty when chosen by hand). */
  reasons: z.array(z.string()),
  appliedBy: z.string(),
  appliedAt: isoTime,
  sections: z.array(TemplatePromptViewSchema),
  questions: z.array(TemplatePromptViewSchema),
});
export type AppliedTemplate = z.infer<typeof AppliedTemplateSchema>;

/** A person owners and assignees are picked from. */
export const PersonSchema = z.object({
  username: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
});
export type Person = z.infer<typeof PersonSchema>;

const workItemBase = {
  incidentId: z.string(),
  incidentTitle: z.string(),
  id: z.string(),
  title: z.string(),
  status: z.string(),
  dueDate: z.string().nullable(),
  overdue: z.boolean(),
};

/** Everything assigned to one person across the incidents they may see. */
export const MyWorkSchema = z.object({
  user: z.string(),
  /** The e-mail address that also counts as the person (owners outside the tool are named by address). */
  email: z.string().nullable(),
  actionItems: z.array(z.object({ ...workItemBase, priority: z.string() })),
  tasks: z.array(z.object(workItemBase)),
  /** Reviews waiting on this person: submitted ones to approve (reviewers), returned drafts they submitted. */
  reviews: z.array(z.object({ incidentId: z.string(), incidentTitle: z.string(), state: z.string(), reason: z.string(), since: z.string().nullable() })),
  overdue: z.number().int(),
});
export type MyWork = z.infer<typeof MyWorkSchema>;
