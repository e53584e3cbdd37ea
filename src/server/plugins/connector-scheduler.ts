import type { SyncReport } from '../../model/connectors.js';
import { sharedPlugin } from './shared-plugin.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Runs the connectors that are due now. While a run of this server is under way a second call
     * waits for it instead of starting another (runs of one server never overlap).
     */
    runDueConnectors: () => Promise<SyncReport | undefined>;
  }
}

export interface ConnectorSchedulerOptions {
  /** Whether the timer runs at all (`hindsight serve --no-scheduler` turns it off). */
  enabled: boolean;
  /** How often the server looks for due connectors (each connector has its own interval). */
  everyMs: number;
  /** Runs every enabled connector that is due (the use case guarantees one run per connector across processes). */
  runDue: () => Promise<SyncReport>;
  /** Where run outcomes and failures are written: one line each, naming the connector, never a secret. */
  log: (line: string) => void;
  /** After a run brought in or changed incidents. */
  afterChanges: () => void;
}

/** Who the audit trail names for scheduled runs. */
export const SCHEDULER_ACTOR = 'hindsight-scheduler';

/** How long after the server starts listening the first look happens (connectors overdue while it was down run then). */
const FIRST_LOOK_MS = 1000;

/**
 * The schedule of the connectors in the team server: once listening, it looks for due connectors
 * shortly after start and then every `everyMs` (a timer that never keeps the process alive), one
 * look at a time. Closing the server stops the timer and waits for a run under way, so the store
 * is not closed under it.
 */
export const connectorScheduler = sharedPlugin<ConnectorSchedulerOptions>('connector-scheduler', async (app, options) => {
  let running: Promise<SyncReport | undefined> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = async (): Promise<SyncReport | undefined> => {
    try {
      const report = await options.runDue();
      for (const c of report.connectors) {
        options.log(
          c.error === null
            ? `connector ${c.name} (${c.type}): fetched ${c.fetched}, created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}`
            : `connector ${c.name} (${c.type}) failed: ${c.error}`,
        );
      }
      if (report.connectors.some((c) => c.created + c.updated > 0)) options.afterChanges();
      return report;
    } catch (error) {
      // Only the message: a stack or a cause could carry request details. The next look tries again.
      options.log(`connector scheduler: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };

  app.decorate('runDueConnectors', () => {
    running ??= runOnce().finally(() => {
      running = undefined;
    });
    return running;
  });

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      // The next look is planned once this one is over: a slow run delays it rather than overlapping.
      void app.runDueConnectors().then(() => schedule(options.everyMs));
    }, delay);
    timer.unref();
  };

  if (options.enabled) app.addHook('onListen', async () => schedule(Math.min(FIRST_LOOK_MS, options.everyMs)));
  app.addHook('onClose', async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  });
});
