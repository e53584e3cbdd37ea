import type { NotifyRunReport } from '../../model/notifications.js';
import { sharedPlugin } from './shared-plugin.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Sends the notifications due now (the reminders too unless `reminders` is false). While a pass
     * of this server is under way a further call waits for it and then runs once more, so an event
     * recorded during a pass is not left for the next timer tick.
     */
    runNotifications: (reminders?: boolean) => Promise<NotifyRunReport | undefined>;
  }
}

export interface NotifierOptions {
  /** Whether the server sends at all (`hindsight serve --no-scheduler` and tests turn it off). */
  enabled: boolean;
  /** How often the reminders and the retries are looked at. */
  everyMs: number;
  /** How long after a write the server sends what it recorded (writes in a burst share one pass). */
  afterWriteMs: number;
  /** One pass of the notifier (the use case holds the lease that keeps servers from sending twice). */
  run: (reminders: boolean) => Promise<NotifyRunReport>;
  /** Where failures are written: one line each, never a secret. */
  log: (line: string) => void;
}

const FIRST_LOOK_MS = 2000;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Notifications in the team server: a pass shortly after a successful write (so people hear of a
 * submitted review within seconds) and on a timer for the reminders and retries. Sending never
 * runs inside a request: a mail server that is down delays no answer. Closing the server stops the
 * timer and waits for a pass under way.
 */
export const notifier = sharedPlugin<NotifierOptions>('notifier', async (app, options) => {
  let running: Promise<NotifyRunReport | undefined> | undefined;
  let again: boolean | undefined;
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  let stopped = false;
  // Only a server that listens sends: one built for a single request (tests, tools) never does.
  let listening = false;

  const pass = async (reminders: boolean): Promise<NotifyRunReport | undefined> => {
    try {
      const report = await options.run(reminders);
      for (const f of report.failed) options.log(`notification to ${f.to} (${f.channel}, ${f.kind}) failed: ${f.error}`);
      return report;
    } catch (error) {
      options.log(`notifier: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };

  app.decorate('runNotifications', (reminders = true) => {
    if (running) {
      again = (again ?? false) || reminders;
      return running;
    }
    running = pass(reminders).finally(() => {
      running = undefined;
      if (again !== undefined && !stopped) {
        const next = again;
        again = undefined;
        void app.runNotifications(next);
      }
    });
    return running;
  });

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void app.runNotifications(true).then(() => schedule(options.everyMs));
    }, delay);
    timer.unref();
  };

  if (options.enabled) {
    app.addHook('onListen', async () => {
      listening = true;
      schedule(Math.min(FIRST_LOOK_MS, options.everyMs));
    });
    app.addHook('onResponse', async (request, reply) => {
      if (!listening || stopped || !WRITE_METHODS.has(request.method) || reply.statusCode >= 400 || !request.url.startsWith('/api/')) return;
      if (soon) return;
      soon = setTimeout(() => {
        soon = undefined;
        void app.runNotifications(false);
      }, options.afterWriteMs);
      soon.unref();
    });
  }
  app.addHook('onClose', async () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(soon);
    await running;
  });
});
