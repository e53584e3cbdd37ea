/** Patience with a source: timeouts, the retry budget and the waits between attempts. */

/** How patient a connector is with a source. */
export interface HttpTuning {
  /** One request, answer included. */
  timeoutMs: number;
  /** All the waiting one request may do for retries (throttling, 503/504, timeouts, network errors). */
  retryBudgetMs: number;
  /** The first back-off when the source gives no Retry-After; doubled each attempt, with jitter. */
  backoffMs: number;
}

export const DEFAULT_TUNING: HttpTuning = { timeoutMs: 60_000, retryBudgetMs: 5 * 60_000, backoffMs: 1_000 };

/** How long to wait before another attempt: Retry-After when given, else an exponential back-off with jitter. */
export function retryWait(response: Response | undefined, backoffMs: number, attempt: number): number {
  return retryAfter(response) ?? backoff(backoffMs, attempt);
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
function retryAfter(response: Response | undefined): number | undefined {
  const value = response?.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Exponential back-off with full jitter, at most a minute. */
function backoff(baseMs: number, attempt: number): number {
  const cap = Math.min(60_000, baseMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

export function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ?? (error instanceof Error ? error.message : String(error));
}
