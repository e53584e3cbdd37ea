import type { StoredIncident } from '../../model/index.js';
import { AttributionCache, AttributionWarmer } from '../../app/attribution.js';
import { sharedPlugin } from './shared-plugin.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Starts storing the attribution of incidents whose stored one is missing or stale (after an import). */
    refreshAttribution: () => void;
  }
}

/** How long after the last request started or ended the server counts as idle. */
const QUIET_MS = 100;

/**
 * The attribution of every incident, stored in the server's idle time: once listening and after
 * each import, so that opening any review for the first time costs no ranking. Idle means no
 * request in flight and none started or finished for the last 100 ms (a server under steady load is
 * left alone).
 */
export const idleAttribution = sharedPlugin<{ cache: AttributionCache; load: (id: string) => Promise<StoredIncident | undefined>; enabled: boolean }>('idle-attribution', async (app, { cache, load, enabled }) => {
  let inFlight = 0;
  let lastActivity = 0;
  app.addHook('onRequest', async (_request, reply) => {
    inFlight += 1;
    lastActivity = performance.now();
    // 'close' comes once per response: sent, failed or abandoned by the client.
    reply.raw.once('close', () => {
      inFlight -= 1;
      lastActivity = performance.now();
    });
  });
  const busy = () => inFlight > 0 || performance.now() - lastActivity < QUIET_MS;
  const warmer = new AttributionWarmer(cache, load, busy);
  app.decorate('refreshAttribution', () => {
    if (enabled) warmer.run();
  });
  if (enabled) app.addHook('onListen', async () => warmer.run());
  app.addHook('onClose', async () => warmer.stop());
});
