import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  notificationPreferences,
  notificationSettingsView,
  recentNotificationDeliveries,
  saveNotificationPreferences,
  sendTestNotification,
  updateNotificationSettings,
} from '../../app/notify/index.js';
import { NotificationPreferencesSchema, NotificationSettingsPatchSchema, NotificationSettingsViewSchema, NotifyRunReportSchema } from '../../model/notifications.js';
import type { RouteContext } from '../context.js';
import { actorOf, userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import { nameSchema } from '../schemas/registry.js';

nameSchema(NotificationSettingsViewSchema, 'NotificationSettings', 'Where notifications go. Secrets are write-only: shown only as set or not.');
nameSchema(NotificationPreferencesSchema, 'NotificationPreferences', "A person's notification preferences: a default mode and one per kind.");
nameSchema(NotifyRunReportSchema, 'NotifyRunReport', 'What a pass of the notifier (or a test) sent and what failed.');

const DeliverySchema = z.object({
  id: z.string(),
  channel: z.string(),
  to: z.string(),
  kind: z.string(),
  subject: z.string(),
  mode: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
const AdminNotificationsSchema = z.object({ settings: NotificationSettingsViewSchema, deliveries: z.array(DeliverySchema) });

/**
 * The delivery settings (admins: SMTP, sender, webhook, reminder timing; the environment wins and
 * secrets are never returned), a test message, and each person's own preferences.
 */
export const notificationRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const env = () => ctx.options.env ?? process.env;

  app.get(
    '/api/admin/notifications',
    { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Notification settings (secrets only as set or not) and the latest deliveries', response: { 200: AdminNotificationsSchema, ...errorResponses(401, 403) } } },
    async () => ({ settings: await notificationSettingsView(ctx.store, env()), deliveries: await recentNotificationDeliveries(ctx.store) }),
  );
  app.put(
    '/api/admin/notifications',
    {
      config: { access: 'admin' },
      schema: { tags: ['admin'], summary: 'Change notification settings (an absent field stays, null clears; a field the environment sets is refused)', body: NotificationSettingsPatchSchema, response: { 200: AdminNotificationsSchema, ...errorResponses(400, 401, 403) } },
    },
    async (request) => ({ settings: await updateNotificationSettings(ctx.store, request.body, actorOf(request), env()), deliveries: await recentNotificationDeliveries(ctx.store) }),
  );
  app.post(
    '/api/admin/notifications/test',
    {
      config: { access: 'admin', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: { tags: ['admin'], summary: 'Send a test message now: by e-mail (to the given address, or your own) and to the webhook', body: z.object({ to: z.string().max(320).optional() }).default({}), response: { 200: NotifyRunReportSchema, ...errorResponses(400, 401, 403) } },
    },
    async (request) => sendTestNotification(ctx.store, actorOf(request), request.body.to?.trim() || userOf(request).email || null, env()),
  );

  app.get(
    '/api/me/notifications',
    { config: { access: 'viewer' }, schema: { tags: ['notifications'], summary: 'Your notification preferences', response: { 200: NotificationPreferencesSchema, ...errorResponses(401) } } },
    async (request) => notificationPreferences(ctx.store, userOf(request).username),
  );
  app.put(
    '/api/me/notifications',
    {
      config: { access: 'viewer' },
      schema: { tags: ['notifications'], summary: 'Replace your notification preferences (immediate, daily digest or off, per kind)', body: NotificationPreferencesSchema, response: { 200: NotificationPreferencesSchema, ...errorResponses(400, 401) } },
    },
    async (request) => saveNotificationPreferences(ctx.store, userOf(request).username, request.body),
  );
};
