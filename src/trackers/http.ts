import { HindsightError } from '../model/errors.js';
import type { PlannedRequest, TrackerSystem } from './types.js';

/** Everything the clients take from the outside world, injectable for tests. */
export interface HttpDeps {
  fetch?: typeof globalThis.fetch;
  /** Waits `ms` milliseconds (tests pass a fake that records the waits). */
  sleep?: (ms: number) => Promise<void>;
  /** Current time in epoch milliseconds. */
  now?: () => number;
  /** Retries after rate limiting, per request (default 3). */
  maxRetries?: number;
  /** Longest single wait for a rate limit to lift (default 5 minutes); longer means failing with the reset time. */
  maxWaitMs?: number;
  /** Told about every wait, e.g. to print a progress line. */
  onWait?: (ms: number, reason: string) => void;
}

/** A request the tracker refused or could not answer. Exit status 1: the work failed. */
export class TrackerRequestError extends HindsightError {
  constructor(
    message: string,
    readonly system: TrackerSystem,
    readonly status: number | null,
    /** Authentication, permission or missing-project errors stop a whole run; validation errors stop one item. */
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = 'TrackerRequestError';
  }
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Says how long to wait before retrying a rate-limited response, or undefined when it is not one. */
export type RateLimitPolicy = (response: { status: number; headers: Headers; body: unknown }, now: number) => number | undefined;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends one planned request with its credentials, retrying (bounded) while the tracker rate-limits. */
export async function sendRequest(
  system: TrackerSystem,
  request: PlannedRequest,
  authorization: string,
  rateLimit: RateLimitPolicy,
  deps: HttpDeps = {},
): Promise<HttpResponse> {
  const doFetch = deps.fetch ?? globalThis.fetch;
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? Date.now;
  const maxRetries = deps.maxRetries ?? 3;
  const maxWaitMs = deps.maxWaitMs ?? 5 * 60_000;
  const name = systemName(system);
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await doFetch(request.url, {
        method: request.method,
        headers: { ...request.headers, Authorization: authorization },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new TrackerRequestError(`could not reach ${name} at ${new URL(request.url).origin} (${cause})`, system, null, true);
    }
    const text = await res.text();
    let body: unknown = text;
    if (text) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    const wait = rateLimit({ status: res.status, headers: res.headers, body }, now());
    if (wait === undefined) return { status: res.status, headers: res.headers, body };
    if (attempt >= maxRetries) {
      throw new TrackerRequestError(`${name} is still rate-limiting after ${maxRetries} retries (HTTP ${res.status}); try again later`, system, res.status, true);
    }
    if (wait > maxWaitMs) {
      const until = new Date(now() + wait).toISOString();
      throw new TrackerRequestError(`${name} rate limit reached (HTTP ${res.status}); it lifts at ${until}, try again then`, system, res.status, true);
    }
    deps.onWait?.(wait, `${name} rate limit (HTTP ${res.status})`);
    await sleep(wait);
  }
}

export function systemName(system: TrackerSystem): string {
  return system === 'github' ? 'GitHub' : 'Jira';
}

/** Parses a Retry-After header: delay in seconds, or an HTTP date. Returns milliseconds. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The URL of `rel="next"` in a Link header (RFC 8288), if any. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (m && /\brel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

/** Keeps a remote server's text short and on one line before it goes into a message. */
export function oneLine(text: string, max = 300): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

