import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JiraClient, jiraDescription, jiraIssuePayload, type JiraConfig } from '../../src/trackers/jira.js';
import { exportActionItems, syncActionItems } from '../../src/trackers/service.js';
import { FakeJira } from '../fixtures/trackers/fake-jira.js';
import { actionItem, MemorySink } from '../fixtures/trackers/items.js';
import { FakeClock } from '../fixtures/trackers/server.js';

let clock: FakeClock;
let jira: FakeJira;
const goodAuth = `Basic ${Buffer.from('ana@example.com:jira-token').toString('base64')}`;

beforeEach(async () => {
  clock = new FakeClock();
  jira = await new FakeJira('SEC', goodAuth).start();
});
afterEach(async () => {
  await jira.server.stop();
});

function config(overrides: Partial<JiraConfig> = {}): JiraConfig {
  return { baseUrl: jira.server.baseUrl, project: 'SEC', authorization: goodAuth, credentialSource: 'JIRA_EMAIL and JIRA_API_TOKEN', issueType: 'Task', setPriority: true, ...overrides };
}
function client(overrides: Partial<JiraConfig> = {}) {
  return new JiraClient(config(overrides), { now: clock.now, sleep: clock.sleep });
}

describe('Jira export', () => {
  it('creates issues with the v3 fields and an ADF description, and records key and browse URL', async () => {
    const items = [actionItem({ id: 'act_01' }), actionItem({ id: 'act_02', priority: 'critical', description: null })];
    const sink = new MemorySink(items);
    const result = await exportActionItems(items, client(), sink, { now: () => new Date('2026-05-04T10:00:00Z') });
    expect(result.failed).toEqual([]);
    expect(result.created.map((c) => [c.actionId, c.key, c.url])).toEqual([
      ['act_01', 'SEC-1', `${jira.server.baseUrl}/browse/SEC-1`],
      ['act_02', 'SEC-2', `${jira.server.baseUrl}/browse/SEC-2`],
    ]);
    const creates = jira.requests.filter((r) => r.method === 'POST' && r.url === '/rest/api/3/issue');
    expect(creates).toHaveLength(2);
    expect(creates[0]!.headers.authorization).toBe(goodAuth);
    expect(creates[0]!.headers['content-type']).toBe('application/json');
    const fields = (creates[0]!.body as { fields: Record<string, unknown> }).fields;
    expect(fields.project).toEqual({ key: 'SEC' });
    expect(fields.summary).toBe('Alert on sign-ins from anonymising proxies');
    expect(fields.issuetype).toEqual({ name: 'Task' });
    expect(fields.labels).toEqual(['hindsight', 'hindsight:act_01']);
    expect(fields.duedate).toBe('2026-06-30');
    expect(fields.priority).toEqual({ name: 'High' });
    expect(fields.description).toEqual(jiraDescription(items[0]!));
    expect((creates[1]!.body as { fields: Record<string, unknown> }).fields.priority).toEqual({ name: 'Highest' });
    expect(sink.links[0]!.link).toEqual({ system: 'jira', key: 'SEC-1', url: `${jira.server.baseUrl}/browse/SEC-1`, state: 'new:To Do', syncedAt: '2026-05-04T10:00:00.000Z' });
  });

  it('puts incident text into inert ADF text nodes, never empty ones', () => {
    const doc = jiraDescription(actionItem({ title: '<script>alert(1)</script>', incidentTitle: '<script>alert(1)</script>', description: 'line one\n\nline three', team: '' }));
    const json = JSON.stringify(doc);
    expect(json).toContain('"text":" <script>alert(1)</script>"');
    expect(json).not.toContain('"text":""');
    const texts: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        const o = n as Record<string, unknown>;
        if (o.type === 'text') texts.push(String(o.text));
        Object.values(o).forEach(walk);
      }
    };
    walk(doc);
    expect(texts).toContain('Team: ');
    expect(texts).toContain('—');
    expect(doc).toMatchObject({ type: 'doc', version: 1 });
  });

  it('leaves priority out when HINDSIGHT_JIRA_PRIORITY=off', () => {
    const payload = jiraIssuePayload(actionItem(), { project: 'SEC', issueType: 'Task', setPriority: false });
    expect(payload.fields).not.toHaveProperty('priority');
  });

  it('waits for Retry-After on 429, then succeeds', async () => {
    jira.rateLimitOnce.add('create');
    const items = [actionItem()];
    const result = await exportActionItems(items, client(), new MemorySink(items));
    expect(result.created).toHaveLength(1);
    expect(clock.waits).toEqual([7000]);
    expect(jira.issues).toHaveLength(1);
  });

  it('dry run sends nothing and prints no credentials', async () => {
    const items = [actionItem()];
    const result = await exportActionItems(items, client(), new MemorySink(items), { dryRun: true });
    expect(jira.requests).toHaveLength(0);
    expect(result.requests).toEqual([{ method: 'POST', url: `${jira.server.baseUrl}/rest/api/3/issue`, headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: jiraIssuePayload(items[0]!, config()) }]);
    expect(JSON.stringify(result)).not.toContain(goodAuth.slice(6));
  });

  it('names the item and the fields of a 400, and carries on', async () => {
    const items = [actionItem({ id: 'act_bad', title: 'FORBIDDEN PRIORITY' }), actionItem({ id: 'act_ok' })];
    const result = await exportActionItems(items, client(), new MemorySink(items));
    expect(result.failed).toEqual([
      { actionId: 'act_bad', error: `action item act_bad ("FORBIDDEN PRIORITY"): could not create the issue: Jira rejected it (400: priority: Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.)` },
    ]);
    expect(result.created.map((c) => c.actionId)).toEqual(['act_ok']);
  });

  it('reports bad credentials naming the variables', async () => {
    const items = [actionItem()];
    const result = await exportActionItems(items, client({ authorization: 'Bearer nope', credentialSource: 'JIRA_PAT' }), new MemorySink(items));
    expect(result.failed[0]!.error).toMatch(/act_01 .*Jira rejected the credentials \(401\); check JIRA_PAT/);
  });

  it('re-export is idempotent and links issues found by their label', async () => {
    jira.addIssue(['hindsight', 'hindsight:act_02'], 'indeterminate', 'In Progress');
    const items = [actionItem({ id: 'act_01' }), actionItem({ id: 'act_02' })];
    const sink = new MemorySink(items);
    const first = await exportActionItems(items, client(), sink);
    expect(first.created.map((c) => c.key)).toEqual(['SEC-2']);
    expect(first.linked.map((c) => [c.actionId, c.key])).toEqual([['act_02', 'SEC-1']]);
    const second = await exportActionItems(sink.list(), client(), sink);
    expect(second.created).toEqual([]);
    expect(jira.issues).toHaveLength(2);
  });
});

describe('Jira search and sync', () => {
  it('pages through /rest/api/3/search/jql with nextPageToken', async () => {
    jira.maxPageSize = 2;
    for (let i = 1; i <= 5; i++) jira.addIssue(['hindsight', `hindsight:act_${i}`]);
    jira.addIssue(['other']);
    const issues = await client().listHindsightIssues();
    expect(issues.map((i) => i.actionId)).toEqual(['act_1', 'act_2', 'act_3', 'act_4', 'act_5']);
    const searches = jira.requests.filter((r) => r.url === '/rest/api/3/search/jql');
    expect(searches).toHaveLength(3);
    expect(searches[0]!.body).toEqual({ jql: 'project = "SEC" AND labels = "hindsight" ORDER BY created ASC', fields: ['status', 'resolution', 'labels'], maxResults: 100 });
    expect((searches[1]!.body as { nextPageToken?: string }).nextPageToken).toBeTruthy();
  });

  it('maps status categories and won\'t-do resolutions, keeps verified items, and records who changed them', async () => {
    jira.addIssue(['hindsight', 'hindsight:a'], 'done', 'Done', 'Done');
    jira.addIssue(['hindsight', 'hindsight:b'], 'indeterminate', 'In Progress');
    jira.addIssue(['hindsight', 'hindsight:c'], 'new', 'To Do');
    jira.addIssue(['hindsight', 'hindsight:d'], 'done', 'Closed', "Won't Do");
    jira.addIssue(['hindsight', 'hindsight:e'], 'new', 'Reopened');
    jira.rateLimitOnce.add('search');
    const linked = (id: string, key: string, status: 'open' | 'in-progress' | 'done' | 'verified') => actionItem({ id, status, externalSystem: 'jira', externalKey: key });
    const items = [linked('a', 'SEC-1', 'open'), linked('b', 'SEC-2', 'open'), linked('c', 'SEC-3', 'in-progress'), linked('d', 'SEC-4', 'open'), linked('e', 'SEC-5', 'verified')];
    const sink = new MemorySink(items);
    const result = await syncActionItems(items, { jira: client() }, sink, { now: () => new Date('2026-05-05T08:00:00Z') });
    expect(clock.waits).toEqual([7000]);
    expect(result.failed).toEqual([]);
    expect(result.changed.map((c) => [c.actionId, c.from, c.to, c.reason, c.externalState])).toEqual([
      ['a', 'open', 'done', null, 'done:Done:Done'],
      ['b', 'open', 'in-progress', null, 'indeterminate:In Progress'],
      ['c', 'in-progress', 'open', null, 'new:To Do'],
      ['d', 'open', 'wont-do', "resolved as Won't Do in Jira", "done:Closed:Won't Do"],
    ]);
    expect(result.unchanged).toBe(1);
    expect(sink.changes.every((c) => c.change.by === 'jira:SEC')).toBe(true);
    expect(sink.items.get('e')!.status).toBe('verified');
  });
});
