import type { ConnectorSettings } from '../model/connectors.js';
import { InputError } from '../model/errors.js';
import type { Incident } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { SourceError, requestPath } from './errors.js';
import type { ApiClient, HttpTuning } from './http.js';

/** One page a source answered, mapped: everything in it is written in one transaction. */
export interface SourcePage {
  /** `GET /v1.0/security/incidents`: what progress lines and errors show of the request. */
  request: string;
  /** Records the page held (incidents, or standalone alerts). */
  records: number;
  incidents: Incident[];
}

export interface SourceOptions {
  /** List records changed at or after this time (the checkpoint less the overlap). */
  from: string;
  env: NodeJS.ProcessEnv;
  fetch: typeof fetch;
  tuning: HttpTuning;
  /** Called with each request made (method, path, status). */
  log?: (line: string) => void;
}

export interface SourceContext {
  settings: ConnectorSettings;
  client: ApiClient;
  options: SourceOptions;
  /** The hosts, without a trailing slash. */
  endpoints: { login: string; graph: string; arm: string };
}

/** A page's JSON body checked to be `{value: [...], nextLink?}`; anything else fails the connector, nothing of it written. */
export function checkPage(connector: string, method: string, url: string, body: unknown, linkField: string): { items: unknown[]; next: string | undefined } {
  const fail = (reason: string): never => {
    throw new SourceError(`connector "${connector}": ${method} ${requestPath(url)}: malformed page: ${reason}`);
  };
  if (!isRecord(body)) return fail('the answer is not a JSON object');
  if (!Array.isArray(body.value)) return fail('"value" is not an array');
  const next = body[linkField];
  if (next !== undefined && next !== null && (typeof next !== 'string' || !/^https?:\/\//i.test(next))) fail(`"${linkField}" is not a URL`);
  return { items: body.value, next: typeof next === 'string' && next ? next : undefined };
}

/** Runs a mapping of a page's records; a record the mapping refuses fails the connector naming the request and the JSON path. */
export async function mapPage<T>(connector: string, method: string, url: string, map: () => T | Promise<T>): Promise<T> {
  try {
    return await map();
  } catch (error) {
    if (error instanceof InputError) throw new SourceError(`connector "${connector}": ${method} ${requestPath(url)}: malformed page: ${error.location?.path ?? '$'}: ${error.message}`);
    throw error;
  }
}

export type { JsonObject };
