import { existsSync } from 'node:fs';
import { errorBody } from '../errors.js';
import { sharedPlugin } from './shared-plugin.js';

/**
 * The web application at / (when it is built), its client-side routes answered with index.html,
 * and the shared error body for anything else that matches no route.
 */
export const webApp = sharedPlugin<{ root: string | null | undefined }>('web-app', async (app, { root }) => {
  const served = Boolean(root && existsSync(root));
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || !served || request.method !== 'GET') {
      void reply.status(404).send(errorBody('not-found', `no route ${request.method} ${request.url.split('?')[0]}`));
      return;
    }
    void reply.type('text/html').sendFile('index.html');
  });
  if (root && served) await app.register((await import('@fastify/static')).default, { root, prefix: '/', wildcard: false, index: ['index.html'] });
});
