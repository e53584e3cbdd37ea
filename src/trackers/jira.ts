import { isRecord } from '../model/json.js';
import { oneLine, retryAfterMs, sendRequest, TrackerRequestError, type HttpDeps, type HttpResponse, type RateLimitPolicy } from './http.js';
import {
  actionIdFromLabels,
  actionLabel,
  HINDSIGHT_LABEL,
  type ActionItemForExport,
  type ExternalIssue,
  type PlannedRequest,
  type TrackerClient,
} from './types.js';

/** Jira Cloud platform REST API v3 (descriptions in Atlassian Document Format). */
export interface JiraConfig {
  /** `https://your-site.atlassian.net`. */
  baseUrl: string;
  /** Project key, e.g. `SEC`. */
  project: string;
  /** The full Authorization header value: `Basic base64(email:token)` or `Bearer PAT`. */
  authorization: string;
  /** Which variables the credentials came from, for error messages. */
  credentialSource: string;
  /** Issue type name (default `Task`). */
  issueType: string;
  /** Send `priority` (some projects' create screens do not have the field). */
  setPriority: boolean;
}

/** Hindsight priorities onto Jira's default priority scheme. */
export const JIRA_PRIORITY: Record<string, string> = { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' };

export function jiraHeaders(withBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (withBody) headers['Content-Type'] = 'application/json';
  return headers;
}

// --- Atlassian Document Format: text nodes are plain text, so incident text needs no escaping, only
// --- care that no text node is empty (ADF rejects those).

export interface AdfMark {
  type: 'strong' | 'code' | 'em';
}
export interface AdfText {
  type: 'text';
  text: string;
  marks?: AdfMark[];
}
export interface AdfHardBreak {
  type: 'hardBreak';
}
export type AdfInline = AdfText | AdfHardBreak;
export interface AdfParagraph {
  type: 'paragraph';
  content: AdfInline[];
}
export interface AdfHeading {
  type: 'heading';
  attrs: { level: number };
  content: AdfInline[];
}
export interface AdfBulletList {
  type: 'bulletList';
  content: { type: 'listItem'; content: AdfParagraph[] }[];
}
export type AdfBlock = AdfParagraph | AdfHeading | AdfBulletList;
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfBlock[];
}

function text(value: string, ...marks: AdfMark['type'][]): AdfText[] {
  if (value === '') return [];
  return [marks.length ? { type: 'text', text: value, marks: marks.map((type) => ({ type })) } : { type: 'text', text: value }];
}

/** Multi-line text as text nodes separated by hard breaks. */
function lines(value: string): AdfInline[] {
  const out: AdfInline[] = [];
  const parts = value.replace(/\r\n?/g, '\n').split('\n');
  parts.forEach((line, i) => {
    if (i > 0) out.push({ type: 'hardBreak' });
    out.push(...text(line));
  });
  return out;
}

function paragraph(content: AdfInline[]): AdfParagraph {
  return { type: 'paragraph', content: content.length ? content : text('—') };
}

/** The ADF description of an action item's Jira issue. */
export function jiraDescription(item: ActionItemForExport): AdfDoc {
  const field = (label: string, value: AdfInline[]) => ({ type: 'listItem' as const, content: [paragraph([...text(`${label}: `, 'strong'), ...(value.length ? value : text('—'))])] });
  const content: AdfBlock[] = [
    paragraph([...text('Action item '), ...text(item.id, 'code'), ...text(' from the post-incident review of incident '), ...text(item.incidentId, 'code'), ...text('.')]),
    {
      type: 'bulletList',
      content: [
        field('Incident', [...text(item.incidentId, 'code'), ...text(` ${item.incidentTitle}`)]),
        field('Type', text(item.type)),
        field('Owner', text(item.owner)),
        field('Team', text(item.team)),
        field('Due date', text(item.dueDate)),
        field('Priority', text(item.priority)),
        field('Status in Hindsight', text(item.status)),
      ],
    },
  ];
  if (item.description && item.description.trim()) {
    content.push({ type: 'heading', attrs: { level: 3 }, content: text('Description') }, paragraph(lines(item.description)));
  }
  content.push({ type: 'heading', attrs: { level: 3 }, content: text('Closure criteria') }, paragraph(lines(item.closureCriteria)));
  content.push(paragraph(text("Exported by Hindsight. Resolving this issue marks the action item done; a Won't Do resolution marks it won't do.", 'em')));
  return { type: 'doc', version: 1, content };
}

/** The body of `POST /rest/api/3/issue`. */
export function jiraIssuePayload(item: ActionItemForExport, config: Pick<JiraConfig, 'project' | 'issueType' | 'setPriority'>) {
  const summary = item.title.replace(/\s+/g, ' ').trim();
  const fields: Record<string, unknown> = {
    project: { key: config.project },
    summary: summary.length > 254 ? `${summary.slice(0, 253)}…` : summary,
    description: jiraDescription(item),
    issuetype: { name: config.issueType },
    labels: [HINDSIGHT_LABEL, actionLabel(item.id)],
  };
  if (/^\d{4}-\d{2}-\d{2}$/.test(item.dueDate)) fields.duedate = item.dueDate;
  const priority = JIRA_PRIORITY[item.priority.toLowerCase()];
  if (config.setPriority && priority) fields.priority = { name: priority };
  return { fields };
}

/** 429 (and 503) with Retry-After seconds; else X-RateLimit-Reset (ISO time); else a short default. */
export const jiraRateLimit: RateLimitPolicy = (res, now) => {
  if (res.status !== 429 && res.status !== 503) return undefined;
  const after = retryAfterMs(res.headers.get('retry-after'), now);
  if (after !== undefined) return after;
  const reset = res.headers.get('x-ratelimit-reset');
  if (reset) {
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(1000, at - now);
  }
  return res.status === 429 ? 5000 : undefined;
};

export class JiraClient implements TrackerClient {
  readonly system = 'jira' as const;
  readonly actor: string;
  private readonly base: string;

  constructor(
    private readonly config: JiraConfig,
    private readonly deps: HttpDeps = {},
  ) {
    this.actor = `jira:${config.project}`;
    this.base = config.baseUrl.replace(/\/+$/, '');
  }

  planCreate(item: ActionItemForExport): PlannedRequest {
    return { method: 'POST', url: `${this.base}/rest/api/3/issue`, headers: jiraHeaders(true), body: jiraIssuePayload(item, this.config) };
  }

  async createIssue(item: ActionItemForExport): Promise<ExternalIssue> {
    const res = await this.send(this.planCreate(item));
    if (res.status !== 201 && res.status !== 200) throw this.failure(res, 'create the issue');
    const body = isRecord(res.body) ? res.body : {};
    if (typeof body.key !== 'string') throw new TrackerRequestError('Jira answered the new issue without a key', 'jira', res.status, true);
    // A new issue sits in its workflow's first status; read it back for the true state.
    return this.getIssue(body.key);
  }

  async listHindsightIssues(): Promise<ExternalIssue[]> {
    const out: ExternalIssue[] = [];
    const jql = `project = "${this.config.project}" AND labels = "${HINDSIGHT_LABEL}" ORDER BY created ASC`;
    let nextPageToken: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const body: Record<string, unknown> = { jql, fields: ['status', 'resolution', 'labels'], maxResults: 100 };
      if (nextPageToken) body.nextPageToken = nextPageToken;
      const res = await this.send({ method: 'POST', url: `${this.base}/rest/api/3/search/jql`, headers: jiraHeaders(true), body });
      if (res.status !== 200) throw this.failure(res, 'search the issues labelled hindsight');
      const result = isRecord(res.body) ? res.body : {};
      if (Array.isArray(result.issues)) for (const raw of result.issues) out.push(this.toIssue(raw));
      nextPageToken = typeof result.nextPageToken === 'string' && result.nextPageToken ? result.nextPageToken : undefined;
      if (result.isLast === true || !nextPageToken) break;
    }
    return out;
  }

  async getIssue(key: string): Promise<ExternalIssue> {
    const res = await this.send({
      method: 'GET',
      url: `${this.base}/rest/api/3/issue/${encodeURIComponent(key)}?fields=status,resolution,labels`,
      headers: jiraHeaders(false),
    });
    if (res.status !== 200) throw this.failure(res, `read issue ${key}`, true);
    return this.toIssue(res.body);
  }

  private send(request: PlannedRequest): Promise<HttpResponse> {
    return sendRequest('jira', request, this.config.authorization, jiraRateLimit, this.deps);
  }

  private toIssue(raw: unknown): ExternalIssue {
    if (!isRecord(raw) || typeof raw.key !== 'string') throw new TrackerRequestError('Jira answered with an issue that has no key', 'jira', null, true);
    const fields = isRecord(raw.fields) ? raw.fields : {};
    const status = isRecord(fields.status) ? fields.status : {};
    const category = isRecord(status.statusCategory) ? status.statusCategory : {};
    const resolution = isRecord(fields.resolution) && typeof fields.resolution.name === 'string' ? fields.resolution.name : null;
    const labels = Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [];
    return {
      key: raw.key,
      url: `${this.base}/browse/${encodeURIComponent(raw.key)}`,
      actionId: actionIdFromLabels(labels),
      state: {
        system: 'jira',
        statusCategory: typeof category.key === 'string' ? category.key : 'undefined',
        statusName: typeof status.name === 'string' ? status.name : '',
        resolution,
      },
    };
  }

  private failure(res: HttpResponse, doing: string, issueLevel = false): TrackerRequestError {
    const body = isRecord(res.body) ? res.body : {};
    const messages: string[] = [];
    if (Array.isArray(body.errorMessages)) for (const m of body.errorMessages) if (typeof m === 'string') messages.push(m);
    if (isRecord(body.errors)) for (const [k, v] of Object.entries(body.errors)) messages.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    if (!messages.length && typeof res.body === 'string' && res.body.trim()) messages.push(oneLine(res.body, 160));
    const detail = messages.length ? `: ${oneLine(messages.join('; '))}` : '';
    const say = (t: string, fatal: boolean) => new TrackerRequestError(`could not ${doing}: ${t}`, 'jira', res.status, fatal);
    switch (res.status) {
      case 400:
        return say(`Jira rejected it (400${detail})`, false);
      case 401:
        return say(`Jira rejected the credentials (401); check ${this.config.credentialSource}`, true);
      case 403:
        return say(`Jira refused access to project ${this.config.project} (403${detail}); the account needs permission to create and browse its issues`, true);
      case 404:
        return issueLevel ? say(`Jira has no such issue, or the account cannot see it (404${detail})`, false) : say(`Jira at ${this.base} answered 404${detail}; check JIRA_BASE_URL`, true);
      case 410:
        return say(`Jira answered 410 Gone${detail}; this site does not offer REST API v3 search`, true);
      default:
        return say(`Jira answered HTTP ${res.status}${detail}`, res.status >= 500);
    }
  }
}
