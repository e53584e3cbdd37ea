import type { ConnectorSettings } from '../model/connectors.js';
import { CLOUD_HOSTS, endpointsOf } from './clouds.js';
import { defenderPages } from './defender.js';
import { ApiClient } from './http.js';
import { sentinelPages } from './sentinel.js';
import type { SourceOptions, SourcePage } from './source.js';
import { readCredential, TokenSource } from './token.js';

export { CLOUD_HOSTS, endpointsOf } from './clouds.js';
export { SourceError } from './errors.js';
export { DEFAULT_TUNING, type HttpTuning } from './http.js';
export type { SourceOptions, SourcePage } from './source.js';
export { SENTINEL_API_VERSION } from './sentinel.js';

/**
 * The pages of records a connector's source has changed since `options.from`, mapped to the model
 * a page at a time. The secret is read from its reference here, used for the token, and kept
 * nowhere else; no message this produces holds it or a token.
 */
export async function* sourcePages(settings: ConnectorSettings, options: SourceOptions): AsyncGenerator<SourcePage> {
  const endpoints = endpointsOf(settings);
  const credential = await readCredential(settings.name, settings.secret, options.env);
  // The token's audience is the cloud's resource, also when requests go to a private endpoint (--graph-url, --arm-url).
  const hosts = CLOUD_HOSTS[settings.cloud];
  const resource = settings.type === 'defender' ? hosts.graph : hosts.arm;
  const tokens = new TokenSource({
    connector: settings.name,
    tokenUrl: `${endpoints.login}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`,
    clientId: settings.clientId,
    scope: `${resource}/.default`,
    credential,
    fetch: options.fetch,
    tuning: options.tuning,
    log: options.log,
  });
  const client = new ApiClient(settings.name, tokens, options.fetch, options.tuning, options.log);
  const context = { settings, client, options, endpoints };
  yield* settings.type === 'defender' ? defenderPages(context) : sentinelPages(context);
}
