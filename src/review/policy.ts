import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { yamlLocation } from './yaml-location.js';
import { InputError, severityRank } from '../model/index.js';

/**
 * The review policy: a readable YAML file that says which incidents must get a full review.
 * A review is required when any rule matches; within a rule all conditions must hold.
 */

const SEVERITY_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const nonEmptyList = z.array(z.string().trim().min(1)).min(1);

export const PolicyConditionSchema = z
  .strictObject({
    severityAtLeast: z.enum(SEVERITY_LEVELS).optional(),
    tags: nonEmptyList.optional(),
    determination: nonEmptyList.optional(),
    classification: nonEmptyList.optional(),
    classificationNot: nonEmptyList.optional(),
  })
  .refine((w) => Object.values(w).some((v) => v !== undefined), { message: 'a rule needs at least one condition' });

export const PolicyRuleSchema = z.strictObject({
  name: z.string().trim().min(1),
  description: z.string().default(''),
  when: PolicyConditionSchema,
});

/**
 * Who may approve a review. `fourEyes` (default true): the approver is neither the person who
 * submitted the review nor its only author; a team too small for that turns it off. An approval
 * of an incomplete review needs a reason of at least `overrideReasonMinLength` characters.
 */
export const ApprovalRulesSchema = z.strictObject({
  fourEyes: z.boolean().default(true),
  overrideReasonMinLength: z.number().int().min(10).max(2000).default(20),
});
export type ApprovalRules = z.infer<typeof ApprovalRulesSchema>;
export const DEFAULT_APPROVAL_RULES: ApprovalRules = { fourEyes: true, overrideReasonMinLength: 20 };

export const ReviewPolicySchema = z.strictObject({
  version: z.literal(1),
  rules: z.array(PolicyRuleSchema),
  approval: ApprovalRulesSchema.default(DEFAULT_APPROVAL_RULES),
});
export type ReviewPolicy = z.infer<typeof ReviewPolicySchema>;
export type PolicyRule = ReviewPolicy['rules'][number];

export interface LoadedPolicy {
  policy: ReviewPolicy;
  /** Where it came from: `--policy`, `HINDSIGHT_POLICY` or `default`. */
  origin: 'option' | 'env' | 'default';
  file: string;
}

/** The incident fields the policy looks at. */
export interface PolicySubject {
  severity: string;
  tags: string[];
  classification: string | null;
  determination: string | null;
}

export interface RuleMatch {
  rule: string;
  description: string;
  /** Each condition that held, in words. */
  reasons: string[];
}

export interface PolicyDecision {
  required: boolean;
  matched: RuleMatch[];
}

/** The policy file shipped with Hindsight (`config/review-policy.yaml`; same depth from src/ and dist/). */
export function defaultPolicyFile(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'review-policy.yaml');
}

/** Reads the effective policy: `file` (the `--policy` option), else HINDSIGHT_POLICY, else the shipped default. */
export function loadPolicy(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): LoadedPolicy {
  const env = options.env ?? process.env;
  const fromEnv = env.HINDSIGHT_POLICY?.trim() || undefined;
  const origin: LoadedPolicy['origin'] = options.file ? 'option' : fromEnv ? 'env' : 'default';
  const file = resolve(options.file || fromEnv || defaultPolicyFile());
  if (!existsSync(file)) throw new InputError(`the review policy file does not exist`, { file });
  return { policy: parsePolicy(readFileSync(file, 'utf8'), file), origin, file };
}

/** Parses and validates policy YAML; errors name the file, line and field path. */
export function parsePolicy(text: string, file = '<policy>'): ReviewPolicy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0];
    throw new InputError(`not valid YAML: ${yamlError.message.split('\n')[0]}`, { file, line: pos?.line, column: pos?.col });
  }
  const result = ReviewPolicySchema.safeParse(doc.toJS());
  if (result.success) {
    const names = new Set<string>();
    result.data.rules.forEach((rule, i) => {
      if (names.has(rule.name)) throw new InputError(`rule name "${rule.name}" is used twice`, yamlLocation(doc.contents, ['rules', i, 'name'], lineCounter, file));
      names.add(rule.name);
    });
    return result.data;
  }
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const extra = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const fullPath = extra.length ? [...path, extra[0] as string] : path;
  throw new InputError(issue.message, yamlLocation(doc.contents, fullPath, lineCounter, file));
}




/** Tags compare case-insensitively, with spaces, underscores and hyphens treated alike. */
export function foldTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/[\s_-]+/g, '-');
}

function foldValue(v: string): string {
  return v.trim().toLowerCase().replace(/[\s_-]/g, '');
}

/** Which rules match the incident. Pure. */
export function evaluatePolicy(policy: ReviewPolicy, incident: PolicySubject): PolicyDecision {
  const matched: RuleMatch[] = [];
  const tags = new Set(incident.tags.map(foldTag));
  for (const rule of policy.rules) {
    const w = rule.when;
    const reasons: string[] = [];
    let ok = true;
    if (w.severityAtLeast !== undefined) {
      const holds = severityRank(incident.severity) >= severityRank(w.severityAtLeast);
      if (holds) reasons.push(`severity ${incident.severity} is ${w.severityAtLeast} or above`);
      ok &&= holds;
    }
    if (w.tags !== undefined) {
      const hit = w.tags.filter((t) => tags.has(foldTag(t)));
      if (hit.length) reasons.push(`tagged ${hit.join(', ')}`);
      ok &&= hit.length > 0;
    }
    if (w.determination !== undefined) {
      const holds = incident.determination !== null && w.determination.some((d) => foldValue(d) === foldValue(incident.determination as string));
      if (holds) reasons.push(`determination ${incident.determination}`);
      ok &&= holds;
    }
    if (w.classification !== undefined) {
      const holds = incident.classification !== null && w.classification.some((d) => foldValue(d) === foldValue(incident.classification as string));
      if (holds) reasons.push(`classification ${incident.classification}`);
      ok &&= holds;
    }
    if (w.classificationNot !== undefined) {
      const holds = incident.classification === null || !w.classificationNot.some((d) => foldValue(d) === foldValue(incident.classification as string));
      if (holds) reasons.push(`classification is not ${w.classificationNot.join(' or ')}`);
      ok &&= holds;
    }
    if (ok) matched.push({ rule: rule.name, description: rule.description, reasons });
  }
  return { required: matched.length > 0, matched };
}
