import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { errorBody } from '../errors.js';
import { sharedPlugin } from './shared-plugin.js';

/** Vite names every built asset after a hash of its content: it can be cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The web application at / (when it is built). Its routes live after the `#`, so the server only
 * ever serves `/` (index.html, revalidated on every load so a new release is picked up at once)
 * and the hashed files under /assets (cached as immutable). Anything else that matches no route,
 * an unknown asset included, is a 404 with the shared error body rather than the app's page, so
 * a missing script fails loudly instead of being parsed as HTML.
 */
export const webApp = sharedPlugin<{ root: string | null | undefined }>('web-app', async (app, { root }) => {
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('not-found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
  if (!root || !existsSync(root)) return;
  await app.register((await import('@fastify/static')).default, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (res, path) => {
      res.header('cache-control', path.includes(`${sep}assets${sep}`) ? IMMUTABLE : 'no-cache');
    },
  });
});
