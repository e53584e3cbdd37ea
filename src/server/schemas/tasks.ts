import { z } from 'zod';
import { AppliedTemplateSchema, MyWorkSchema, PersonSchema, ReviewTaskSchema, TemplatePromptViewSchema } from '../../model/tasks.js';
import { nameSchema } from './registry.js';

nameSchema(ReviewTaskSchema, 'ReviewTask', 'A task of a review: who does what by when.');
nameSchema(AppliedTemplateSchema, 'AppliedTemplate', 'The template a review follows, as applied, with its sections and questions answered.');
nameSchema(TemplatePromptViewSchema, 'TemplatePrompt', "A section or question a review template adds, with the review's answer.");
nameSchema(PersonSchema, 'Person', 'Someone work can be given to.');
nameSchema(MyWorkSchema, 'MyWork', 'Everything waiting on one person across incidents.');

export { AppliedTemplateSchema, MyWorkSchema, PersonSchema, ReviewTaskSchema, TemplatePromptViewSchema };

export const TaskListSchema = z.object({ tasks: z.array(ReviewTaskSchema) });
export const PeopleSchema = z.object({ people: z.array(PersonSchema) });

/** A template as listed: what it is, what selects it, and what it adds. */
export const TemplateSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  description: z.string(),
  default: z.boolean(),
  priority: z.number().int(),
  match: z.record(z.string(), z.array(z.string())).nullable(),
  sections: z.array(z.object({ key: z.string(), title: z.string(), guidance: z.string() })),
  questions: z.array(z.object({ key: z.string(), title: z.string(), guidance: z.string() })),
  tasks: z.array(z.object({ key: z.string(), title: z.string(), description: z.string(), role: z.string().nullable(), assignee: z.string().nullable(), dueInDays: z.number().int().nullable() })),
});
export const TemplateListSchema = z.object({ dir: z.string(), origin: z.enum(['option', 'env', 'default']), templates: z.array(TemplateSummarySchema) });

/** The template an incident's review follows, the one its rule picks, and the ones to choose from. */
export const IncidentTemplateSchema = z.object({
  applied: AppliedTemplateSchema.nullable(),
  suggested: z.object({ templateId: z.string(), name: z.string(), version: z.number().int(), reasons: z.array(z.string()) }),
  templates: z.array(z.object({ id: z.string(), name: z.string(), version: z.number().int(), description: z.string() })),
});

/** What applying a template did. */
export const TemplateApplicationSchema = z.object({
  template: AppliedTemplateSchema,
  created: z.array(ReviewTaskSchema),
  removed: z.array(z.string()),
  warnings: z.array(z.string()),
});
