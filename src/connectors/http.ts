import { SourceError, requestPath } from './errors.js';
import { networkReason, retryWait, type HttpTuning } from './retry.js';
import type { TokenSource } from './token.js';

export { DEFAULT_TUNING, type HttpTuning } from './retry.js';

/** Statuses that mean "try again later". */
const RETRIED = new Set([429, 503, 504]);

export interface ApiRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
}

/** One request made, for a sync's `onProgress` (method, path and status; never a token). */
export type RequestLog = (line: string) => void;

/**
 * JSON over HTTPS with a bearer token, as Microsoft asks clients to behave: 429/503/504 are retried
 * after Retry-After (seconds or an HTTP date), else after an exponential back-off with jitter, all
 * within a time budget; a 401 gets one fresh token and one more try; every request times out.
 */
export class ApiClient {
  constructor(
    private readonly connector: string,
    private readonly tokens: TokenSource,
    private readonly fetchImpl: typeof fetch,
    private readonly tuning: HttpTuning,
    private readonly log?: RequestLog,
  ) {}

  /** The answer's JSON body; any failure is a SourceError naming the connector, method, path and reason. */
  async json(request: ApiRequest): Promise<unknown> {
    const path = requestPath(request.url);
    const fail = (reason: string): never => {
      throw new SourceError(`connector "${this.connector}": ${request.method} ${path}: ${reason}`);
    };
    const deadline = Date.now() + this.tuning.retryBudgetMs;
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      attempt += 1;
      const token = await this.tokens.token(false);
      let response: Response | undefined;
      let text: string | undefined;
      let reason: string;
      try {
        response = await this.fetchImpl(request.url, {
          method: request.method,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(this.tuning.timeoutMs),
        });
        text = await response.text();
        reason = `HTTP ${response.status}`;
      } catch (error) {
        reason = networkReason(error, this.tuning.timeoutMs);
      }
      this.log?.(`${request.method} ${path}${response ? ` ${response.status}` : ` (${reason})`}`);
      if (response?.ok && text !== undefined) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return fail('the answer is not JSON');
        }
      }
      if (response?.status === 401 && !refreshed) {
        // An expired or revoked token: one fresh token, one more try.
        refreshed = true;
        await this.tokens.token(true);
        continue;
      }
      const retryable = !response || RETRIED.has(response.status);
      if (!retryable) return fail(`${reason}${errorMessage(text)}`);
      const wait = retryWait(response, this.tuning.backoffMs, attempt);
      if (Date.now() + wait > deadline) return fail(`${reason}${errorMessage(text)} (gave up after ${attempt} attempt(s))`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** The `error.message` of a Graph or ARM error body (`{"error":{"code","message"}}`), briefly. */
function errorMessage(text: string | undefined): string {
  if (!text) return '';
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : undefined;
    const message = typeof body.error?.message === 'string' ? body.error.message.slice(0, 300) : undefined;
    return code || message ? `: ${[code, message].filter(Boolean).join(': ')}` : '';
  } catch {
    return '';
  }
}
