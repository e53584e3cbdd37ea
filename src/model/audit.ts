import { z } from 'zod';

/** One entry of the hash-chained audit trail: who did what to which entity, before and after. */
export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** The result of walking the chain: intact, or the first broken link and why. */
export const AuditVerificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  /** The first entry whose link is broken, and why. */
  firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
  lastHash: z.string(),
});
export type AuditVerification = z.infer<typeof AuditVerificationSchema>;

/** Which entries to list, newest first. */
export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actor?: string;
  /** Entries with seq below this (paging newest first). */
  before?: number;
  /** At most 1000; 100 when absent. */
  limit?: number;
}
