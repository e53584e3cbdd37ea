import { UsageError } from '../../model/errors.js';
import { NotificationSettingsPatchSchema, WebhookFormatSchema, type NotificationSettingsPatch, type NotificationSettingsView, type WebhookFormat } from '../../model/notifications.js';
import type { OpenedStore } from '../../store/index.js';
import { saveSettings, storedSettings } from '../../store/notifications/settings.js';
import { appendAudit } from '../audit.js';
import { openSecret, sealSecret } from './sealed.js';

/** Where and how notifications go, resolved from the environment and the admin screen's settings. */
export interface NotifyConfig {
  /** The SMTP server as a URL with credentials, or null when e-mail is not configured. */
  smtpUrl: string | null;
  mailFrom: string;
  webhook: { url: string; secret: string | null; format: WebhookFormat } | null;
  dueSoonDays: number;
  escalationDays: number;
  /** The UTC hour from which the day's digest goes out. */
  digestHour: number;
  /** The web app's address for links (HINDSIGHT_PUBLIC_URL); null: messages carry no link. */
  publicUrl: string | null;
}

export const DEFAULT_MAIL_FROM = 'Hindsight <hindsight@localhost>';
const DEFAULTS = { dueSoonDays: 3, escalationDays: 3, digestHour: 8, webhookFormat: 'json' as WebhookFormat };

/** Each setting: its environment variable (which wins over the database) and whether it is secret. */
const FIELDS = {
  smtpUrl: { env: 'HINDSIGHT_SMTP_URL', secret: true },
  smtpPassword: { env: 'HINDSIGHT_SMTP_PASSWORD', secret: true },
  mailFrom: { env: 'HINDSIGHT_MAIL_FROM', secret: false },
  webhookUrl: { env: 'HINDSIGHT_WEBHOOK_URL', secret: true },
  webhookSecret: { env: 'HINDSIGHT_WEBHOOK_SECRET', secret: true },
  webhookFormat: { env: 'HINDSIGHT_WEBHOOK_FORMAT', secret: false },
  dueSoonDays: { env: 'HINDSIGHT_NOTIFY_DUE_SOON_DAYS', secret: false },
  escalationDays: { env: 'HINDSIGHT_NOTIFY_ESCALATION_DAYS', secret: false },
  digestHour: { env: 'HINDSIGHT_NOTIFY_DIGEST_HOUR', secret: false },
} as const;
type Field = keyof typeof FIELDS;

type Env = Record<string, string | undefined>;

/** Raw values by field: the environment's where set (and not empty), else the database's (secrets opened). */
async function rawSettings(store: OpenedStore, env: Env): Promise<{ values: Map<Field, string>; fromEnv: Field[] }> {
  const stored = await storedSettings(store.db);
  const values = new Map<Field, string>();
  const fromEnv: Field[] = [];
  for (const [field, spec] of Object.entries(FIELDS) as [Field, (typeof FIELDS)[Field]][]) {
    const fromEnvironment = env[spec.env]?.trim();
    if (fromEnvironment) {
      values.set(field, fromEnvironment);
      fromEnv.push(field);
      continue;
    }
    const saved = stored.get(field);
    if (saved === undefined) continue;
    const value = spec.secret ? openSecret(store.auditKeyFile, saved) : saved;
    if (value !== undefined) values.set(field, value);
  }
  return { values, fromEnv };
}

function integerSetting(values: Map<Field, string>, field: 'dueSoonDays' | 'escalationDays' | 'digestHour', max: number): number {
  const raw = values.get(field);
  if (raw === undefined) return DEFAULTS[field];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${FIELDS[field].env}: must be a whole number from 0 to ${max} (got "${raw}")`);
  return n;
}

function checkedUrl(raw: string, variable: string, schemes: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${variable}: not a URL`);
  }
  if (!schemes.includes(url.protocol)) throw new UsageError(`${variable}: must start with ${schemes.map((s) => `${s}//`).join(' or ')}`);
  return url;
}

/** The configuration in force: the environment wins field by field over what the admin screen stored. */
export async function loadNotifyConfig(store: OpenedStore, env: Env = process.env): Promise<NotifyConfig> {
  const { values } = await rawSettings(store, env);
  let smtpUrl: string | null = null;
  const rawSmtp = values.get('smtpUrl');
  if (rawSmtp) {
    const url = checkedUrl(rawSmtp, FIELDS.smtpUrl.env, ['smtp:', 'smtps:']);
    const password = values.get('smtpPassword');
    if (password) url.password = encodeURIComponent(password);
    smtpUrl = url.toString();
  }
  let webhook: NotifyConfig['webhook'] = null;
  const rawWebhook = values.get('webhookUrl');
  if (rawWebhook) {
    checkedUrl(rawWebhook, FIELDS.webhookUrl.env, ['http:', 'https:']);
    const format = WebhookFormatSchema.safeParse(values.get('webhookFormat') ?? DEFAULTS.webhookFormat);
    if (!format.success) throw new UsageError(`${FIELDS.webhookFormat.env}: must be json, slack or teams`);
    webhook = { url: rawWebhook, secret: values.get('webhookSecret') ?? null, format: format.data };
  }
  const publicUrl = env.HINDSIGHT_PUBLIC_URL?.trim() || null;
  if (publicUrl) checkedUrl(publicUrl, 'HINDSIGHT_PUBLIC_URL', ['http:', 'https:']);
  return {
    smtpUrl,
    mailFrom: values.get('mailFrom') ?? DEFAULT_MAIL_FROM,
    webhook,
    dueSoonDays: integerSetting(values, 'dueSoonDays', 90),
    escalationDays: integerSetting(values, 'escalationDays', 365),
    digestHour: integerSetting(values, 'digestHour', 23),
    publicUrl: publicUrl ? publicUrl.replace(/\/+$/, '') : null,
  };
}

/** The SMTP URL without its password, for display. */
function redactedSmtpUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.password) url.password = '';
    return url.toString();
  } catch {
    return null;
  }
}

/** The settings as the admin screen shows them: secrets only as set or not. */
export async function notificationSettingsView(store: OpenedStore, env: Env = process.env): Promise<NotificationSettingsView> {
  const { values, fromEnv } = await rawSettings(store, env);
  const webhookUrl = values.get('webhookUrl');
  let webhookHost: string | null = null;
  try {
    webhookHost = webhookUrl ? new URL(webhookUrl).host : null;
  } catch {
    webhookHost = null;
  }
  const number = (field: 'dueSoonDays' | 'escalationDays' | 'digestHour') => {
    const n = Number(values.get(field) ?? DEFAULTS[field]);
    return Number.isInteger(n) ? n : DEFAULTS[field];
  };
  const format = WebhookFormatSchema.safeParse(values.get('webhookFormat') ?? DEFAULTS.webhookFormat);
  const smtpUrl = values.get('smtpUrl');
  return {
    smtpUrl: redactedSmtpUrl(smtpUrl),
    smtpPasswordSet: Boolean(values.get('smtpPassword')) || Boolean(smtpUrl && /^[^:]+:\/\/[^/@]*:[^/@]+@/.test(smtpUrl)),
    mailFrom: values.get('mailFrom') ?? null,
    webhookUrlSet: Boolean(webhookUrl),
    webhookHost,
    webhookSecretSet: Boolean(values.get('webhookSecret')),
    webhookFormat: format.success ? format.data : DEFAULTS.webhookFormat,
    dueSoonDays: number('dueSoonDays'),
    escalationDays: number('escalationDays'),
    digestHour: number('digestHour'),
    publicUrl: env.HINDSIGHT_PUBLIC_URL?.trim() || null,
    fromEnvironment: fromEnv.map((f) => FIELDS[f].env),
  };
}

/**
 * Stores a change to the settings (audited, secrets sealed and recorded in the audit trail only as
 * "set" or "cleared"). A field the environment sets is refused: it would have no effect.
 */
export async function updateNotificationSettings(store: OpenedStore, patch: NotificationSettingsPatch, actor: string, env: Env = process.env): Promise<NotificationSettingsView> {
  const parsed = NotificationSettingsPatchSchema.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`notification settings: ${(issue?.path ?? []).map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const changes = new Map<string, string | null>();
  const audited: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(parsed.data) as [Field, string | number | null | undefined][]) {
    if (value === undefined) continue;
    const spec = FIELDS[field];
    if (env[spec.env]?.trim()) throw new UsageError(`notification settings: ${field} is set by ${spec.env} on the server, which wins; change it there`);
    const text = value === null || value === '' ? null : String(value);
    changes.set(field, text === null ? null : spec.secret ? sealSecret(store.auditKeyFile, text) : text);
    audited[field] = spec.secret ? (text === null ? 'cleared' : 'set') : text;
  }
  if (changes.size === 0) throw new UsageError('notification settings: nothing to change');
  await store.transaction(async (tx) => {
    await saveSettings(tx.db, changes, actor, new Date().toISOString());
    await appendAudit(tx, { actor, operation: 'notifications.configure' }, { entityId: 'notifications', before: null, after: audited });
  });
  return notificationSettingsView(store, env);
}
