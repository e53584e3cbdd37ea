/** Notifications: the outbox a write records into, and the sender that works it after commit. */
export { recordNotification } from './record.js';
export { runNotifications, type NotifyRunOptions } from './run.js';
export { loadNotifyConfig, notificationSettingsView, updateNotificationSettings, type NotifyConfig } from './config.js';
export { notificationPreferences, saveNotificationPreferences, sendTestNotification } from './preferences.js';
export { notifyActionItemChange, notifyReviewsRequired, notifyReviewTransition } from './events.js';
export { recentNotificationDeliveries } from './deliveries.js';
