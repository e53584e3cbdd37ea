import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin as not encapsulated (what the fastify-plugin package does): its hooks, decorators
 * and error handler apply to the whole server, not only to routes it registers itself. Fastify's
 * documented `skip-override` symbol.
 */
export function sharedPlugin<Options extends object>(name: string, plugin: FastifyPluginAsync<Options>): FastifyPluginAsync<Options> {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
