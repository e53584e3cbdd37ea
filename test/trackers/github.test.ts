import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubClient, githubIssuePayload } from '../../src/trackers/github.js';
import { exportActionItems, syncActionItems } from '../../src/trackers/service.js';
import { FakeGitHub } from '../fixtures/trackers/fake-github.js';
import { actionItem, MemorySink } from '../fixtures/trackers/items.js';
import { FakeClock } from '../fixtures/trackers/server.js';

let clock: FakeClock;
let gh: FakeGitHub;

beforeEach(async () => {
  clock = new FakeClock();
  gh = await new FakeGitHub('acme/security-actions', 'ghp_good_token', clock).start();
});
afterEach(async () => {
  await gh.server.stop();
});

function client(token = 'ghp_good_token', repo = 'acme/security-actions') {
  return new GitHubClient({ repo, token, apiUrl: gh.server.baseUrl }, { now: clock.now, sleep: clock.sleep });
}

describe('GitHub export', () => {
  it('creates one issue per item with the documented request shape and records the link', async () => {
    const items = [actionItem({ id: 'act_01', owner: '@octocat' }), actionItem({ id: 'act_02', title: 'Run a phishing drill', type: 'training', priority: 'medium' })];
    const sink = new MemorySink(items);
    const result = await exportActionItems(items, client(), sink, { now: () => new Date('2026-05-04T10:00:00Z') });

    expect(result.failed).toEqual([]);
    expect(result.created.map((c) => [c.actionId, c.key])).toEqual([
      ['act_01', '1'],
      ['act_02', '2'],
    ]);
    const posts = gh.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    const first = posts[0]!;
    expect(first.url).toBe('/repos/acme/security-actions/issues');
    expect(first.headers.accept).toBe('application/vnd.github+json');
    expect(first.headers['x-github-api-version']).toBe('2022-11-28');
    expect(first.headers.authorization).toBe('Bearer ghp_good_token');
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.body).toEqual(githubIssuePayload(items[0]!));
    const body = first.body as { title: string; body: string; labels: string[]; assignees?: string[] };
    expect(body.title).toBe('Alert on sign-ins from anonymising proxies');
    expect(body.labels).toEqual(['hindsight', 'hindsight:act_01']);
    expect(body.assignees).toEqual(['octocat']);
    for (const text of ['`inc_4242`', 'detection-engineering', 'Detection', '2026-06-30', 'high', 'Rule deployed and tested against the replayed sign-in.', '### Closure criteria']) {
      expect(body.body).toContain(text);
    }
    // A person's name is not a GitHub login: no assignee, and the name stays in the body.
    expect((posts[1]!.body as { assignees?: string[] }).assignees).toBeUndefined();
    expect(sink.links.map((l) => [l.actionId, l.link])).toEqual([
      ['act_01', { system: 'github', key: '1', url: 'https://github.example/acme/security-actions/issues/1', state: 'open', syncedAt: '2026-05-04T10:00:00.000Z' }],
      ['act_02', { system: 'github', key: '2', url: 'https://github.example/acme/security-actions/issues/2', state: 'open', syncedAt: '2026-05-04T10:00:00.000Z' }],
    ]);
  });

  it('neutralises markup and mentions from incident text in the issue body', () => {
    const payload = githubIssuePayload(
      actionItem({ title: '<script>alert(1)</script>', incidentTitle: '<img src=x onerror=alert(1)> ping @security-team', closureCriteria: '[click](javascript:alert(1)) **bold**' }),
    );
    expect(payload.title).toBe('<script>alert(1)</script>'); // titles are plain text on GitHub
    // No raw HTML, no @-mention, no live link or emphasis, however the shared Markdown escaper spells it.
    expect(payload.body).not.toMatch(/<img|<script|@security-team|(?<!\\)\]\(|(?<!\\)\*\*/);
    expect(payload.body).toContain('&lt;img src=x onerror=alert');
    expect(payload.body).toContain('&#64;security-team');
    expect(payload.body).toContain('\\[click\\]');
  });

  it('waits for x-ratelimit-reset after a 403 rate limit, then succeeds', async () => {
    gh.rateLimitOnce.add('create');
    const items = [actionItem()];
    const sink = new MemorySink(items);
    const result = await exportActionItems(items, client(), sink);
    expect(result.created).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    // reset is 30 s after "now"; the client waits until then plus a second of margin.
    expect(clock.waits).toEqual([31_000]);
    expect(gh.issues).toHaveLength(1);
  });

  it('gives up after the bounded number of retries when the limit never lifts', async () => {
    const c = new GitHubClient({ repo: gh.repo, token: gh.token, apiUrl: gh.server.baseUrl }, { now: clock.now, sleep: clock.sleep, maxRetries: 2 });
    gh.rateLimitAlways = true;
    await expect(c.listHindsightIssues()).rejects.toThrow(/GitHub is still rate-limiting after 2 retries \(HTTP 403\)/);
    expect(gh.requests).toHaveLength(3);
    expect(clock.waits).toEqual([31_000, 31_000]);
  });

  it('refuses to wait longer than the cap and names the time the limit lifts', async () => {
    const c = new GitHubClient({ repo: gh.repo, token: gh.token, apiUrl: gh.server.baseUrl }, { now: clock.now, sleep: clock.sleep, maxWaitMs: 10_000 });
    gh.rateLimitOnce.add('get');
    gh.addIssue({ title: 'x' });
    await expect(c.getIssue('1')).rejects.toThrow(/GitHub rate limit reached \(HTTP 403\); it lifts at 2026-05-04T10:00:31.000Z/);
    expect(clock.waits).toEqual([]);
  });

  it('dry run sends nothing, returns the exact requests, and never includes the token', async () => {
    const items = [actionItem()];
    const sink = new MemorySink(items);
    const result = await exportActionItems(items, client(), sink, { dryRun: true });
    expect(gh.requests).toHaveLength(0);
    expect(sink.links).toHaveLength(0);
    expect(result.requests).toEqual([
      {
        method: 'POST',
        url: `${gh.server.baseUrl}/repos/acme/security-actions/issues`,
        headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'hindsight', 'Content-Type': 'application/json' },
        body: githubIssuePayload(items[0]!),
      },
    ]);
    expect(JSON.stringify(result)).not.toContain('ghp_good_token');
  });

  it('is idempotent: linked items are skipped, and an issue already labelled for an item is linked, not duplicated', async () => {
    const items = [actionItem({ id: 'act_01' }), actionItem({ id: 'act_02' }), actionItem({ id: 'act_03', status: 'verified' })];
    const sink = new MemorySink(items);
    await exportActionItems(items.slice(0, 1), client(), sink);
    expect(gh.issues).toHaveLength(1);

    // act_02's issue exists in GitHub (a previous run crashed before recording it).
    gh.addIssue({ title: 'Alert on sign-ins', labels: ['hindsight', 'hindsight:act_02'] });
    const again = await exportActionItems(sink.list(), client(), sink);
    expect(again.created).toEqual([]);
    expect(again.linked.map((l) => [l.actionId, l.key])).toEqual([['act_02', '2']]);
    expect(again.skipped.map((s) => s.actionId)).toEqual(['act_01', 'act_03']);
    expect(gh.issues).toHaveLength(2);

    const third = await exportActionItems(sink.list(), client(), sink);
    expect(third.created).toEqual([]);
    expect(third.linked).toEqual([]);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('reports a bad token naming the item and GITHUB_TOKEN, and stops', async () => {
    const items = [actionItem({ id: 'act_01' }), actionItem({ id: 'act_02' })];
    const result = await exportActionItems(items, client('wrong'), new MemorySink(items));
    expect(result.created).toEqual([]);
    expect(result.failed).toHaveLength(2);
    expect(result.failed[0]!.error).toMatch(/action item act_01 .*GitHub rejected the credentials \(401 Bad credentials\); check GITHUB_TOKEN/);
    expect(gh.requests).toHaveLength(1);
  });

  it('reports a 404 repository clearly', async () => {
    const items = [actionItem()];
    const result = await exportActionItems(items, client('ghp_good_token', 'acme/missing'), new MemorySink(items));
    expect(result.failed[0]!.error).toMatch(/GitHub repository acme\/missing was not found, or GITHUB_TOKEN cannot see it \(404\)/);
  });

  it('reports a 422 with its errors for one item and carries on with the others', async () => {
    const items = [actionItem({ id: 'act_01', owner: '@nobody-here' }), actionItem({ id: 'act_02' })];
    const sink = new MemorySink(items);
    const result = await exportActionItems(items, client(), sink);
    expect(result.failed).toEqual([
      { actionId: 'act_01', error: 'action item act_01 ("Alert on sign-ins from anonymising proxies"): could not create the issue: GitHub rejected it (422 Validation Failed: assignees: invalid ("nobody-here"))' },
    ]);
    expect(result.created.map((c) => c.actionId)).toEqual(['act_02']);
    expect(sink.links.map((l) => l.actionId)).toEqual(['act_02']);
  });

  it('follows Link rel="next" across pages and ignores pull requests', async () => {
    gh.maxPageSize = 2;
    for (let i = 1; i <= 5; i++) gh.addIssue({ title: `t${i}`, labels: ['hindsight', `hindsight:act_${i}`] });
    gh.addIssue({ title: 'unrelated' });
    gh.addIssue({ title: 'a PR', labels: ['hindsight'], pull_request: true });
    const issues = await client().listHindsightIssues();
    expect(issues.map((i) => i.actionId)).toEqual(['act_1', 'act_2', 'act_3', 'act_4', 'act_5']);
    const gets = gh.requests.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(3);
    expect(gets[0]!.url).toBe('/repos/acme/security-actions/issues?state=all&labels=hindsight&per_page=100');
    expect(gets[2]!.url).toContain('page=3');
  });
});

describe('GitHub sync', () => {
  it('maps closed/completed, not planned, reopened and keeps verified items', async () => {
    const issue = (n: number, id: string, state: 'open' | 'closed', reason: string | null) =>
      gh.addIssue({ number: n, title: id, labels: ['hindsight', `hindsight:${id}`], state, state_reason: reason });
    issue(1, 'act_done', 'closed', 'completed');
    issue(2, 'act_np', 'closed', 'not_planned');
    issue(3, 'act_reopened', 'open', 'reopened');
    issue(4, 'act_verified', 'open', 'reopened');
    issue(5, 'act_same', 'open', null);
    const linked = (id: string, key: string, status: 'open' | 'in-progress' | 'done' | 'verified') =>
      actionItem({ id, status, externalSystem: 'github', externalKey: key, externalUrl: `https://github.example/acme/security-actions/issues/${key}` });
    const items = [
      linked('act_done', '1', 'in-progress'),
      linked('act_np', '2', 'open'),
      linked('act_reopened', '3', 'done'),
      linked('act_verified', '4', 'verified'),
      linked('act_same', '5', 'open'),
      actionItem({ id: 'act_local' }),
    ];
    const sink = new MemorySink(items);
    const result = await syncActionItems(items, { github: client() }, sink, { now: () => new Date('2026-05-05T08:00:00Z') });
    expect(result.failed).toEqual([]);
    expect(result.checked).toBe(5);
    expect(result.unchanged).toBe(2);
    expect(result.changed.map((c) => [c.actionId, c.from, c.to, c.reason, c.externalState])).toEqual([
      ['act_done', 'in-progress', 'done', null, 'closed:completed'],
      ['act_np', 'open', 'wont-do', 'closed as not planned in GitHub', 'closed:not_planned'],
      ['act_reopened', 'done', 'in-progress', null, 'open:reopened'],
    ]);
    expect(sink.changes[0]!.change).toEqual({
      system: 'github',
      key: '1',
      externalState: 'closed:completed',
      from: 'in-progress',
      to: 'done',
      reason: null,
      at: '2026-05-05T08:00:00.000Z',
      by: 'github:acme/security-actions',
    });
    expect(sink.items.get('act_verified')!.status).toBe('verified');
    // One listing served every item: no per-issue reads.
    expect(gh.requests.filter((r) => /\/issues\/\d+$/.test(r.url))).toHaveLength(0);
    // Running it again changes nothing.
    const again = await syncActionItems(sink.list(), { github: client() }, sink);
    expect(again.changed).toEqual([]);
  });

  it('reads an issue that lost its label one by one, and reports a deleted one', async () => {
    gh.addIssue({ title: 'relabelled', labels: [], state: 'closed', state_reason: 'completed' });
    const items = [
      actionItem({ id: 'act_a', externalSystem: 'github', externalKey: '1', status: 'open' }),
      actionItem({ id: 'act_b', externalSystem: 'github', externalKey: '99', status: 'open' }),
    ];
    const sink = new MemorySink(items);
    const result = await syncActionItems(items, { github: client() }, sink);
    expect(result.changed.map((c) => [c.actionId, c.to])).toEqual([['act_a', 'done']]);
    expect(result.failed).toEqual([{ actionId: 'act_b', error: 'action item act_b ("Alert on sign-ins from anonymising proxies"): could not read issue acme/security-actions#99: GitHub has no such issue in acme/security-actions (404)' }]);
  });

  it('fails items whose tracker is not configured', async () => {
    const items = [actionItem({ id: 'act_j', externalSystem: 'jira', externalKey: 'SEC-1' })];
    const result = await syncActionItems(items, { github: client() }, new MemorySink(items));
    expect(result.failed[0]!.error).toMatch(/act_j .*Jira is not configured/);
  });
});
