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
  /**
   * Set when the reader may know that the entry exists but not what it holds (an admin reading an
   * entry about an incident restricted to others): before and after are left out.
   */
  redacted: z.boolean().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** The result of walking the chain: intact, or the first broken link and why. */
export const AuditVerificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  /** The first entry whose link is broken, and why. */
  firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
  lastHash: z.string(),
  /** Entries written before keyed MACs (plain SHA-256 links, sealed by the first keyed entry after them). */
  unkeyed: z.number().int().optional(),
  /** Anchors the trail was checked against. */
  anchors: z.number().int().optional(),
});
export type AuditVerification = z.infer<typeof AuditVerificationSchema>;

/** Which entries to list, newest first. */
export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actor?: string;
  /** Any of these actions (operation names such as `user.disable`). */
  actions?: readonly string[];
  /** Entries about this incident (by Hindsight's id): its review, sections, findings, imports... */
  incident?: string;
  /** Entries at or after this instant (ISO 8601). */
  since?: string;
  /** Entries before this instant (ISO 8601). */
  until?: string;
  /** Entries with seq below this (paging newest first). */
  before?: number;
  /** At most 1000; 100 when absent. */
  limit?: number;
}

/**
 * The head of the trail as written outside the database (`hindsight audit anchor`): a later trail
 * must still hold entry `seq` with this MAC, or entries were removed or the chain rewritten.
 */
export const AuditAnchorSchema = z.object({
  anchor: z.literal('hindsight-audit'),
  /** The last entry's seq (0: the trail was empty). */
  seq: z.number().int().min(0),
  /** That entry's MAC (its stored hash). */
  mac: z.string().regex(/^[0-9a-f]{64}$/),
  /** The audit key that sealed it (null for an entry from before keyed MACs). */
  keyId: z.string().nullable(),
  /** When the anchor was taken. */
  at: z.string(),
});
export type AuditAnchor = z.infer<typeof AuditAnchorSchema>;
