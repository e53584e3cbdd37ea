import { constants as zlibConstants } from 'node:zlib';
import { inferenceRoutes } from './routes/inference.js';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { accountsOf } from '../app/accounts/index.js';
import { AttributionCache } from '../app/attribution.js';
import { RuleSource } from '../app/rule-index.js';
import { runDueConnectors } from '../app/connectors.js';
import { findIncident } from '../app/incidents.js';
import { PdfPrinter } from '../export/pdf-printer.js';
import type { App, RouteContext, ServerOptions } from './context.js';
import { handleError } from './errors.js';
import { accessLog, accessLogOptions } from './plugins/access-log.js';
import { apiDocs } from './plugins/api-docs.js';
import { authentication } from './plugins/authentication.js';
import { connectorScheduler, SCHEDULER_ACTOR } from './plugins/connector-scheduler.js';
import { idleAttribution } from './plugins/idle-attribution.js';
import { notifier } from './plugins/notifier.js';
import { securityHeaders } from './plugins/security-headers.js';
import { webApp } from './plugins/web-app.js';
import { ReportCache } from './report-cache.js';
import { DEFAULT_UPLOAD_LIMITS } from './upload-files.js';
import { adminRoutes } from './routes/admin.js';
import { attackRoutes } from './routes/attack.js';
import { authRoutes } from './routes/auth.js';
import { connectorRoutes } from './routes/connectors.js';
import { incidentRoutes } from './routes/incidents.js';
import { metaRoutes } from './routes/meta.js';
import { notificationRoutes } from './routes/notifications.js';
import { reviewLifecycleRoutes } from './routes/review-lifecycle.js';
import { reviewRoutes } from './routes/review.js';
import { taskRoutes } from './routes/tasks.js';
import { signInRoutes } from './routes/sign-in.js';
import { observableRoutes } from './routes/observables.js';
import { shareRoutes } from './routes/share.js';

export type { App, RouteContext, ServerOptions } from './context.js';

/**
 * The team server: the REST API under /api (every route declares who may call it, validates its
 * input and serializes its answer with zod, and documents both in the OpenAPI document), the API
 * reference at /api/docs, and the web application at /.
 */
export async function buildServer(options: ServerOptions): Promise<App> {
  const app = Fastify({
    ...(options.accessLog ? accessLogOptions(options.accessLog) : { logger: options.logger ?? false }),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 2 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);

  const accounts = accountsOf(options.store);
  // Cookies are parsed before anyone is signed in from them; the headers are on every answer, 401s included.
  await app.register(accessLog);
  await app.register((await import('@fastify/cookie')).default);
  // Answers over 1 KiB are compressed (brotli at a quality that costs little CPU, else gzip).
  await app.register((await import('@fastify/compress')).default, { global: true, threshold: 1024, brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } } });
  await app.register(securityHeaders);
  await app.register(authentication, { accounts });
  await app.register((await import('@fastify/rate-limit')).default, { global: false, hook: 'preHandler' });
  const uploadLimits = { ...DEFAULT_UPLOAD_LIMITS, ...options.upload };
  await app.register((await import('@fastify/multipart')).default, { limits: { fileSize: uploadLimits.maxFileBytes, files: 20 } });
  await app.register(apiDocs);

  const attribution = new AttributionCache(options.store, options.kb);
  await app.register(idleAttribution, {
    cache: attribution,
    load: (id) => findIncident(options.store, id, { raw: false }),
    enabled: options.precomputeAttribution !== false,
  });

  const context: RouteContext = {
    auth: accounts,
    store: options.store,
    kb: options.kb,
    options,
    loginAttemptsPerMinute: options.loginAttemptsPerMinute ?? 5,
    reports: new ReportCache(options.kb, attribution),
    rules: new RuleSource(options.kb, options.rules ?? [], undefined, options.store),
    afterImport: () => app.refreshAttribution(),
    uploadLimits,
    pdf: new PdfPrinter({ concurrency: options.pdf?.concurrency, maxWaiting: options.pdf?.maxWaiting }),
  };
  app.addHook('onClose', () => context.pdf.close());
  await app.register(authRoutes, context);
  await app.register(signInRoutes, context);
  await app.register(incidentRoutes, context);
  await app.register(reviewRoutes, context);
  await app.register(reviewLifecycleRoutes, context);
  await app.register(taskRoutes, context);
  await app.register(observableRoutes, context);
  await app.register(shareRoutes, context);
  await app.register(attackRoutes, context);
  await app.register(adminRoutes, context);
  await app.register(connectorRoutes, context);
  await app.register(metaRoutes, context);
  await app.register(notificationRoutes, context);
  await app.register(inferenceRoutes, context);
  const schedule = options.connectorScheduler ?? {};
  await app.register(connectorScheduler, {
    enabled: schedule.enabled ?? true,
    everyMs: schedule.everyMs ?? 30_000,
    runDue: () => runDueConnectors(options.store, { env: options.env ?? process.env, actor: SCHEDULER_ACTOR }),
    log: schedule.log ?? ((line) => app.log.info(line)),
    afterChanges: () => app.refreshAttribution(),
  });
  const notify = options.notifier ?? {};
  await app.register(notifier, {
    enabled: notify.enabled ?? true,
    everyMs: notify.everyMs ?? 60_000,
    afterWriteMs: notify.afterWriteMs ?? 500,
    run: async (reminders) => (await import('../app/notify/index.js')).runNotifications(options.store, { env: options.env ?? process.env, reminders, ...(notify.now ? { now: notify.now } : {}) }),
    log: notify.log ?? ((line) => app.log.warn(line)),
  });
  await app.register(webApp, { root: options.webRoot });
  return app;
}
