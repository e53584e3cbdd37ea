import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { addConnector, getConnector, listConnectors, removeConnector, setConnectorEnabled, syncConnectors, updateConnector } from '../../app/connectors.js';
import type { ConnectorView } from '../../model/connectors.js';
import { roleAllows } from '../../model/roles.js';
import type { RouteContext } from '../context.js';
import { notFound } from '../errors.js';
import { actorOf, userOf } from '../request-user.js';
import { ConnectorInputSchema, ConnectorListSchema, ConnectorParams, ConnectorPatchSchema, ConnectorSchema, SyncConnectorResultSchema, type ConnectorAnswer } from '../schemas/connectors.js';
import { errorResponses } from '../schemas/errors.js';

const tags = ['connectors'];

/**
 * Connectors: everyone signed in sees each one's settings, last run, result, error and next run;
 * admins add, edit, enable, disable, remove and run them. Where the secret is read from (variable
 * name or file path) is shown to admins only; the secret itself is never read here at all.
 */
export const connectorRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const env = () => ctx.options.env ?? process.env;
  const existing = async (name: string): Promise<ConnectorView> => {
    const connector = await getConnector(ctx.store, name);
    if (!connector) throw notFound(`no connector "${name}"`);
    return connector;
  };

  app.get(
    '/api/connectors',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Connectors, their last run and next run', response: { 200: ConnectorListSchema, ...errorResponses(401) } } },
    async (request) => ({
      connectors: (await listConnectors(ctx.store)).map((c) => shown(request, c)),
      scheduler: { enabled: ctx.options.connectorScheduler?.enabled ?? true },
    }),
  );
  app.get(
    '/api/connectors/:name',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One connector', params: ConnectorParams, response: { 200: ConnectorSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => shown(request, await existing(request.params.name)),
  );
  app.post(
    '/api/connectors',
    { config: { access: 'admin' }, schema: { tags, summary: 'Add a connector (with a reference to its secret, never the secret)', body: ConnectorInputSchema, response: { 201: ConnectorSchema, ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => reply.status(201).send(await addConnector(ctx.store, actorOf(request), request.body)),
  );
  app.patch(
    '/api/connectors/:name',
    { config: { access: 'admin' }, schema: { tags, summary: 'Edit, enable or disable a connector', params: ConnectorParams, body: ConnectorPatchSchema, response: { 200: ConnectorSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const { name } = request.params;
      await existing(name);
      const patch = request.body;
      const keys = Object.keys(patch);
      // Enabling and disabling alone are their own operations (and audit entries); anything else is an edit.
      if (keys.length === 1 && patch.enabled !== undefined) return setConnectorEnabled(ctx.store, actorOf(request), name, patch.enabled);
      return updateConnector(ctx.store, actorOf(request), name, patch);
    },
  );
  app.delete(
    '/api/connectors/:name',
    { config: { access: 'admin' }, schema: { tags, summary: 'Remove a connector (the incidents it brought in stay)', params: ConnectorParams, response: { 200: ConnectorSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => removeConnector(ctx.store, actorOf(request), request.params.name),
  );
  app.post(
    '/api/connectors/:name/sync',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Run a connector now',
        description: 'Answers when the run is over: 200 with its counts and checkpoint, or with `error` set when the source could not be synced (nothing of a failed page is written).',
        params: ConnectorParams,
        response: { 200: SyncConnectorResultSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { name } = request.params;
      await existing(name);
      const report = await syncConnectors(ctx.store, { names: [name], env: env(), actor: actorOf(request), policyFile: ctx.options.policyFile });
      const result = report.connectors.find((c) => c.name === name);
      if (!result) throw notFound(`no connector "${name}"`);
      if (result.created + result.updated > 0) ctx.afterImport();
      return result;
    },
  );
};

/** A connector as the caller may see it: where its secret is read from is for admins only. */
function shown(request: FastifyRequest, connector: ConnectorView): ConnectorAnswer {
  if (roleAllows(userOf(request).role, 'admin')) return connector;
  const { secret: _secret, ...rest } = connector;
  return rest;
}
