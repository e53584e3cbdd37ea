import { z } from 'zod';
import { AuditEntrySchema, AuditVerificationSchema } from '../../model/audit.js';
import { ReviewPolicySchema } from '../../review/policy.js';
import { ApiTokenInfoSchema, UserSchema } from './auth.js';
import { nameSchema } from './registry.js';

nameSchema(AuditEntrySchema, 'AuditEntry', 'One entry of the hash-chained audit trail.');
nameSchema(AuditVerificationSchema, 'AuditVerification');
nameSchema(ReviewPolicySchema, 'ReviewPolicy', 'Which incidents need a full review: a review is required when any rule matches.');

export { AuditVerificationSchema };

export const UserListSchema = z.object({ users: z.array(UserSchema) });
export const TokenListSchema = z.object({ tokens: z.array(ApiTokenInfoSchema) });
/** A new token: the token itself is in this answer only. */
export const NewTokenSchema = ApiTokenInfoSchema.extend({ token: z.string() });
export const AuditLogSchema = z.object({
  entries: z.array(AuditEntrySchema),
  /** Entries in the range of this page the reader may not see: counted, not shown. */
  hidden: z.number().int(),
  /** Entries shown without their content (about incidents restricted to others). */
  redacted: z.number().int(),
  /** `before` for the next, older page; null on the last page. */
  nextBefore: z.number().int().nullable(),
});

export const PolicyDocumentSchema = z.object({
  policy: ReviewPolicySchema,
  /** Where it came from: `--policy`, `HINDSIGHT_POLICY` or `default`. */
  origin: z.enum(['option', 'env', 'default']),
  file: z.string(),
  yaml: z.string(),
  /** Whether an admin may replace it here (the server was started with a policy file). */
  editable: z.boolean(),
});
export const PolicySavedSchema = z.object({ policy: ReviewPolicySchema, file: z.string() });
