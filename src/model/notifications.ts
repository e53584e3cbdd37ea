import { z } from 'zod';

/**
 * What Hindsight tells people about, by stable name: these strings are stored, sent in webhook
 * payloads and used in preferences, so a name once released never changes.
 */
export const NOTIFICATION_KINDS = [
  'review.required',
  'review.submitted',
  'review.returned',
  'review.approved',
  'action.assigned',
  'task.assigned',
  'action.due-soon',
  'action.overdue',
  'action.escalated',
  'task.due-soon',
  'task.overdue',
  'task.escalated',
  'tracker.changed',
  'action.regressed',
] as const;
export const NotificationKindSchema = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKindSchema>;

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  'review.required': 'Review required',
  'review.submitted': 'Review submitted',
  'review.returned': 'Review returned',
  'review.approved': 'Review approved',
  'action.assigned': 'Action item assigned',
  'task.assigned': 'Task assigned',
  'action.due-soon': 'Action item due soon',
  'action.overdue': 'Action item overdue',
  'action.escalated': 'Overdue action item escalated',
  'task.due-soon': 'Task due soon',
  'task.overdue': 'Task overdue',
  'task.escalated': 'Overdue task escalated',
  'tracker.changed': 'Tracker state changed',
  'action.regressed': 'Detection fix no longer covered',
};

/**
 * Who a notification is for: a username (reached at the account's e-mail address) or an e-mail
 * address of someone outside the tool. Role groups are resolved when the event is recorded.
 */
export const NotificationRecipientSchema = z.string().trim().min(1).max(320);

/**
 * One event a write use case records: the outbox row. `dedupeKey` makes it happen once: recording
 * the same key again is a no-op, so a retried write or a second reminder run never sends twice.
 */
export const NotificationEventSchema = z.object({
  kind: NotificationKindSchema,
  /** Unique per event, e.g. `task.assigned:<taskId>:<assignee>`; defaults to kind + subject + recipients. */
  dedupeKey: z.string().min(1).max(500).optional(),
  incidentId: z.string().min(1).max(200),
  /** The thing the event is about: the incident for review kinds, else the action item or task id. */
  subjectId: z.string().min(1).max(200),
  /** One line naming the thing (the action item's or task's title; empty for review kinds). */
  subjectTitle: z.string().max(500).default(''),
  /** Who caused it (a username, or `hindsight-scheduler`); never notified of their own act. */
  actor: z.string().max(200).default('hindsight'),
  /** Usernames or e-mail addresses; `@reviewers`: every enabled reviewer and admin with an address; `@assignee`: the incident's assignee. */
  to: z.array(NotificationRecipientSchema).min(1).max(100),
  /** Extra facts shown in the message (due date, new state, reason), as short label → value lines. */
  facts: z.record(z.string().max(100), z.string().max(2000)).default({}),
});
export type NotificationEventInput = z.input<typeof NotificationEventSchema>;
export type NotificationEvent = z.output<typeof NotificationEventSchema>;

/** The group recipient: every enabled account with role reviewer or admin and an e-mail address. */
export const REVIEWERS_RECIPIENT = '@reviewers';
/** The incident's assignee (from its source: a user name or an address); the reviewers when it has none. */
export const ASSIGNEE_RECIPIENT = '@assignee';

export const NOTIFICATION_CHANNELS = ['email', 'webhook'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** How a person gets a kind: at once, in the daily digest, or not at all by e-mail. */
export const NotificationModeSchema = z.enum(['immediate', 'digest', 'off']);
export type NotificationMode = z.infer<typeof NotificationModeSchema>;

export const WebhookFormatSchema = z.enum(['json', 'slack', 'teams']);
export type WebhookFormat = z.infer<typeof WebhookFormatSchema>;

/** One message sent or failed in a run, as `hindsight notify run --json` prints it. */
export const SentNotificationSchema = z.object({
  channel: z.enum(NOTIFICATION_CHANNELS),
  to: z.string(),
  kind: z.string(),
  subject: z.string(),
});
export type SentNotification = z.infer<typeof SentNotificationSchema>;
export const FailedNotificationSchema = SentNotificationSchema.extend({ error: z.string() });
export type FailedNotification = z.infer<typeof FailedNotificationSchema>;
export const NotifyRunReportSchema = z.object({ sent: z.array(SentNotificationSchema), failed: z.array(FailedNotificationSchema) });
export type NotifyRunReport = z.infer<typeof NotifyRunReportSchema>;

/** A person's preferences: a default mode and one per kind (absent kinds follow the default). */
export const NotificationPreferencesSchema = z.object({
  defaultMode: NotificationModeSchema,
  kinds: z.partialRecord(NotificationKindSchema, NotificationModeSchema),
  /** The address messages go to (read-only here: set by sign-in or the admin screen). */
  email: z.string().nullable().optional(),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferencesSchema>;

/**
 * The delivery settings as the admin API shows them: secrets are write-only, shown only as whether
 * one is set; `source` says for each field whether it comes from the environment (which wins) or
 * the database.
 */
export const NotificationSettingsViewSchema = z.object({
  smtpUrl: z.string().nullable(),
  smtpPasswordSet: z.boolean(),
  mailFrom: z.string().nullable(),
  webhookUrlSet: z.boolean(),
  webhookHost: z.string().nullable(),
  webhookSecretSet: z.boolean(),
  webhookFormat: WebhookFormatSchema,
  dueSoonDays: z.number().int(),
  escalationDays: z.number().int(),
  digestHour: z.number().int(),
  publicUrl: z.string().nullable(),
  fromEnvironment: z.array(z.string()),
});
export type NotificationSettingsView = z.infer<typeof NotificationSettingsViewSchema>;

const optionalSecret = z.string().max(2000).nullable().optional();
/** A change to the stored settings: an absent field stays, null clears it. */
export const NotificationSettingsPatchSchema = z.object({
  smtpUrl: z
    .string()
    .trim()
    .max(2000)
    .refine((v) => /^smtps?:\/\/[^\s]+$/i.test(v), 'must be an smtp:// or smtps:// URL')
    .nullable()
    .optional(),
  smtpPassword: optionalSecret,
  mailFrom: z.string().trim().max(320).nullable().optional(),
  webhookUrl: z
    .string()
    .trim()
    .max(2000)
    .refine((v) => /^https?:\/\/[^\s]+$/i.test(v), 'must be an http:// or https:// URL')
    .nullable()
    .optional(),
  webhookSecret: optionalSecret,
  webhookFormat: WebhookFormatSchema.optional(),
  dueSoonDays: z.number().int().min(0).max(90).optional(),
  escalationDays: z.number().int().min(0).max(365).optional(),
  digestHour: z.number().int().min(0).max(23).optional(),
});
export type NotificationSettingsPatch = z.infer<typeof NotificationSettingsPatchSchema>;
