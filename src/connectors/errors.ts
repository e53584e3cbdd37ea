import { HindsightError } from '../model/errors.js';

/**
 * A connector's run failed: the message names the connector, the request (method and path, never
 * the query's token or the secret) and the reason. Exit status 1: the work failed, not the usage.
 */
export class SourceError extends HindsightError {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

/** A request's path without its query string: what an error may show of a request. */
export function requestPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
