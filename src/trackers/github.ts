import { escapeMarkdown, markdownCode } from '../export/escape.js';
import { isRecord } from '../model/json.js';
import { nextLink, oneLine, retryAfterMs, sendRequest, TrackerRequestError, type HttpDeps, type HttpResponse, type RateLimitPolicy } from './http.js';
import {
  actionIdFromLabels,
  actionLabel,
  HINDSIGHT_LABEL,
  type ActionItemForExport,
  type ExternalIssue,
  type PlannedRequest,
  type TrackerClient,
} from './types.js';

/** GitHub REST API (issues), version 2022-11-28. */
export interface GitHubConfig {
  /** `owner/repo`. */
  repo: string;
  token: string;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiUrl: string;
}

export const GITHUB_API_VERSION = '2022-11-28';
export const GITHUB_DEFAULT_API_URL = 'https://api.github.com';

/** GitHub's documented limit on an issue title. */
const TITLE_MAX = 256;

export function githubHeaders(withBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': GITHUB_API_VERSION,
    'User-Agent': 'hindsight',
  };
  if (withBody) headers['Content-Type'] = 'application/json';
  return headers;
}

/** The body of `POST /repos/{owner}/{repo}/issues` for an action item. */
export function githubIssuePayload(item: ActionItemForExport): { title: string; body: string; labels: string[]; assignees?: string[] } {
  const title = item.title.replace(/\s+/g, ' ').trim();
  const payload: { title: string; body: string; labels: string[]; assignees?: string[] } = {
    title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title,
    body: githubIssueBody(item),
    labels: [HINDSIGHT_LABEL, actionLabel(item.id)],
  };
  // Only an owner written as a GitHub login (`@octocat`) becomes an assignee; people's names stay in the body.
  const login = /^@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})$/.exec(item.owner.trim());
  if (login?.[1]) payload.assignees = [login[1]];
  return payload;
}

/** Untrusted text made inert for GitHub Markdown: no HTML, no formatting, no @-mentions. */
function gh(text: string | null | undefined, multiline = false): string {
  return escapeMarkdown(text, { multiline }).replace(/@/g, '&#64;');
}

export function githubIssueBody(item: ActionItemForExport): string {
  const rows: [string, string][] = [
    ['Incident', `${markdownCode(item.incidentId)} ${gh(item.incidentTitle)}`],
    ['Type', gh(item.type)],
    ['Owner', gh(item.owner)],
    ['Team', gh(item.team)],
    ['Due date', gh(item.dueDate)],
    ['Priority', gh(item.priority)],
    ['Status in Hindsight', gh(item.status)],
  ];
  const lines = [
    `Action item ${markdownCode(item.id)} from the post-incident review of incident ${markdownCode(item.incidentId)}.`,
    '',
    '| Field | Value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v || '—'} |`),
    '',
  ];
  if (item.description && item.description.trim()) lines.push('### Description', '', gh(item.description, true), '');
  lines.push('### Closure criteria', '', gh(item.closureCriteria || '—', true), '');
  lines.push(`<sub>Exported by Hindsight. Closing this issue as completed marks the action item done; closing it as not planned marks it won't do.</sub>`);
  lines.push(`<!-- ${actionLabel(item.id).replace(/--/g, '- -')} -->`);
  return lines.join('\n');
}

/** 403/429 with `x-ratelimit-remaining: 0` (wait until `x-ratelimit-reset`), or `retry-after`, or a secondary limit message. */
export const githubRateLimit: RateLimitPolicy = (res, now) => {
  if (res.status !== 403 && res.status !== 429) return undefined;
  const after = retryAfterMs(res.headers.get('retry-after'), now);
  if (after !== undefined) return after;
  if (res.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - now + 1000);
    return 60_000;
  }
  const message = isRecord(res.body) && typeof res.body.message === 'string' ? res.body.message : '';
  if (res.status === 429 || /rate limit/i.test(message)) return 60_000;
  return undefined;
};

export class GitHubClient implements TrackerClient {
  readonly system = 'github' as const;
  readonly actor: string;
  private readonly base: string;

  constructor(
    private readonly config: GitHubConfig,
    private readonly deps: HttpDeps = {},
  ) {
    this.actor = `github:${config.repo}`;
    this.base = `${config.apiUrl.replace(/\/+$/, '')}/repos/${config.repo.split('/').map(encodeURIComponent).join('/')}`;
  }

  planCreate(item: ActionItemForExport): PlannedRequest {
    return { method: 'POST', url: `${this.base}/issues`, headers: githubHeaders(true), body: githubIssuePayload(item) };
  }

  async createIssue(item: ActionItemForExport): Promise<ExternalIssue> {
    const res = await this.send(this.planCreate(item));
    if (res.status !== 201) throw this.failure(res, 'create the issue');
    return this.toIssue(res.body);
  }

  async listHindsightIssues(): Promise<ExternalIssue[]> {
    const out: ExternalIssue[] = [];
    let url: string | undefined = `${this.base}/issues?state=all&labels=${encodeURIComponent(HINDSIGHT_LABEL)}&per_page=100`;
    for (let page = 0; url && page < 1000; page++) {
      const res = await this.send({ method: 'GET', url, headers: githubHeaders(false) });
      if (res.status !== 200) throw this.failure(res, 'list the issues labelled hindsight');
      if (!Array.isArray(res.body)) throw new TrackerRequestError(`GitHub answered the issue list with something other than an array`, 'github', res.status, true);
      // The issues endpoint also returns pull requests; they carry a `pull_request` key.
      for (const raw of res.body) if (isRecord(raw) && !('pull_request' in raw)) out.push(this.toIssue(raw));
      url = nextLink(res.headers.get('link'));
    }
    return out;
  }

  async getIssue(key: string): Promise<ExternalIssue> {
    const number = key.replace(/^#/, '');
    const res = await this.send({ method: 'GET', url: `${this.base}/issues/${encodeURIComponent(number)}`, headers: githubHeaders(false) });
    if (res.status !== 200) throw this.failure(res, `read issue ${this.config.repo}#${number}`, true);
    return this.toIssue(res.body);
  }

  private send(request: PlannedRequest): Promise<HttpResponse> {
    return sendRequest('github', request, `Bearer ${this.config.token}`, githubRateLimit, this.deps);
  }

  private toIssue(raw: unknown): ExternalIssue {
    if (!isRecord(raw) || typeof raw.number !== 'number') throw new TrackerRequestError('GitHub answered with an issue that has no number', 'github', null, true);
    const labels = Array.isArray(raw.labels)
      ? raw.labels.map((l) => (typeof l === 'string' ? l : isRecord(l) && typeof l.name === 'string' ? l.name : '')).filter(Boolean)
      : [];
    return {
      key: String(raw.number),
      url: typeof raw.html_url === 'string' ? raw.html_url : `${this.base}/issues/${raw.number}`,
      actionId: actionIdFromLabels(labels),
      state: {
        system: 'github',
        state: raw.state === 'closed' ? 'closed' : 'open',
        stateReason: typeof raw.state_reason === 'string' ? raw.state_reason : null,
      },
    };
  }

  private failure(res: HttpResponse, doing: string, issueLevel = false): TrackerRequestError {
    const body = isRecord(res.body) ? res.body : {};
    const message = typeof body.message === 'string' ? body.message : typeof res.body === 'string' ? oneLine(res.body, 120) : '';
    const repo = this.config.repo;
    const say = (text: string, fatal: boolean) => new TrackerRequestError(`could not ${doing}: ${text}`, 'github', res.status, fatal);
    switch (res.status) {
      case 401:
        return say(`GitHub rejected the credentials (401 ${message || 'Bad credentials'}); check GITHUB_TOKEN`, true);
      case 403:
        return say(`GitHub refused access to ${repo} (403 ${message || 'Forbidden'}); the token needs read and write access to issues`, true);
      case 404:
        return issueLevel
          ? say(`GitHub has no such issue in ${repo} (404)`, false)
          : say(`GitHub repository ${repo} was not found, or GITHUB_TOKEN cannot see it (404)`, true);
      case 410:
        return say(`issues are disabled in ${repo} (410)`, true);
      case 422: {
        const details = Array.isArray(body.errors)
          ? body.errors
              .map((e) => {
                if (typeof e === 'string') return e;
                if (!isRecord(e)) return '';
                const field = typeof e.field === 'string' ? e.field : '';
                const text = typeof e.message === 'string' ? e.message : typeof e.code === 'string' ? e.code : '';
                const value = e.value === undefined || e.value === null ? '' : ` (${JSON.stringify(e.value)})`;
                return `${field ? `${field}: ` : ''}${text}${value}`;
              })
              .filter(Boolean)
          : [];
        return say(`GitHub rejected it (422 ${message || 'Validation Failed'}${details.length ? `: ${oneLine(details.join('; '))}` : ''})`, false);
      }
      default:
        return say(`GitHub answered HTTP ${res.status}${message ? ` ${oneLine(message)}` : ''}`, res.status >= 500);
    }
  }
}
