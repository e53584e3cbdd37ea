import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { githubConfigFromEnv, jiraConfigFromEnv } from '../../src/trackers/config.js';
import { nextLink, retryAfterMs } from '../../src/trackers/http.js';
import { mapExternalState } from '../../src/trackers/state.js';

describe('tracker configuration from the environment', () => {
  it('names the missing GitHub variable', () => {
    expect(() => githubConfigFromEnv({}, {}, { requireCredentials: true })).toThrow(/HINDSIGHT_GITHUB_REPO/);
    expect(() => githubConfigFromEnv({ HINDSIGHT_GITHUB_REPO: 'acme/x' }, {}, { requireCredentials: true })).toThrow(/GITHUB_TOKEN is not set/);
    expect(() => githubConfigFromEnv({}, { repo: 'not a repo' }, { requireCredentials: false })).toThrow(/--repo must look like owner\/repo/);
    try {
      githubConfigFromEnv({ HINDSIGHT_GITHUB_REPO: 'acme/x' }, {}, { requireCredentials: true });
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
    }
  });

  it('reads GitHub settings, with --repo winning and a GitHub Enterprise API URL', () => {
    expect(githubConfigFromEnv({ HINDSIGHT_GITHUB_REPO: 'acme/a', GITHUB_TOKEN: 't', HINDSIGHT_GITHUB_API_URL: 'https://ghe.example/api/v3/' }, { repo: 'acme/b' }, { requireCredentials: true })).toEqual({
      repo: 'acme/b',
      token: 't',
      apiUrl: 'https://ghe.example/api/v3',
    });
    // A dry run needs no token.
    expect(githubConfigFromEnv({ HINDSIGHT_GITHUB_REPO: 'acme/a' }, {}, { requireCredentials: false }).token).toBe('');
  });

  it('names the missing Jira variables and builds Basic or Bearer credentials', () => {
    expect(() => jiraConfigFromEnv({}, {}, { requireCredentials: true })).toThrow(/JIRA_BASE_URL/);
    expect(() => jiraConfigFromEnv({ JIRA_BASE_URL: 'https://x.atlassian.net' }, {}, { requireCredentials: true })).toThrow(/HINDSIGHT_JIRA_PROJECT/);
    const base = { JIRA_BASE_URL: 'https://x.atlassian.net', HINDSIGHT_JIRA_PROJECT: 'sec' };
    expect(() => jiraConfigFromEnv(base, {}, { requireCredentials: true })).toThrow(/JIRA_EMAIL and JIRA_API_TOKEN \(or JIRA_PAT\) are not set/);
    expect(() => jiraConfigFromEnv({ ...base, JIRA_EMAIL: 'a@b' }, {}, { requireCredentials: true })).toThrow(/^JIRA_API_TOKEN is not set/);
    const basic = jiraConfigFromEnv({ ...base, JIRA_EMAIL: 'a@b.c', JIRA_API_TOKEN: 'tok' }, {}, { requireCredentials: true });
    expect(basic.authorization).toBe(`Basic ${Buffer.from('a@b.c:tok').toString('base64')}`);
    expect(basic.project).toBe('SEC');
    expect(basic.issueType).toBe('Task');
    const pat = jiraConfigFromEnv({ ...base, JIRA_PAT: 'pat', HINDSIGHT_JIRA_PRIORITY: 'off', HINDSIGHT_JIRA_ISSUE_TYPE: 'Story' }, {}, { requireCredentials: true });
    expect(pat).toMatchObject({ authorization: 'Bearer pat', credentialSource: 'JIRA_PAT', setPriority: false, issueType: 'Story' });
    expect(() => jiraConfigFromEnv({ ...base, JIRA_BASE_URL: 'ftp://x' }, {}, { requireCredentials: false })).toThrow(/JIRA_BASE_URL must be an http\(s\) URL/);
  });
});

describe('HTTP helpers', () => {
  it('parses Link rel="next" and Retry-After', () => {
    expect(nextLink('<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last"')).toBe(
      'https://api.github.com/repositories/1/issues?page=2',
    );
    expect(nextLink('<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
    expect(retryAfterMs('12', 0)).toBe(12_000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('2026-10-21T07:28:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });
});

describe('mapping tracker state onto action item status', () => {
  const gh = (state: 'open' | 'closed', stateReason: string | null) => ({ system: 'github' as const, state, stateReason });
  const jira = (statusCategory: string, resolution: string | null = null) => ({ system: 'jira' as const, statusCategory, statusName: 'x', resolution });
  it.each([
    [gh('closed', 'completed'), 'open', 'done'],
    [gh('closed', null), 'in-progress', 'done'],
    [gh('closed', 'not_planned'), 'open', 'wont-do'],
    [gh('closed', 'duplicate'), 'open', 'wont-do'],
    [gh('open', 'reopened'), 'done', 'in-progress'],
    [gh('open', null), 'wont-do', 'open'],
    [gh('open', null), 'open', null],
    [gh('open', null), 'in-progress', null],
    [gh('closed', 'completed'), 'verified', null],
    [gh('open', 'reopened'), 'verified', null],
    [jira('done', 'Done'), 'open', 'done'],
    [jira('done', "Won't Do"), 'open', 'wont-do'],
    [jira('indeterminate'), 'open', 'in-progress'],
    [jira('new'), 'done', 'open'],
    [jira('new'), 'open', null],
    [jira('done'), 'verified', null],
    [jira('undefined'), 'open', null],
  ] as const)('%j from %s -> %s', (state, from, to) => {
    const move = mapExternalState(state, from);
    expect(move?.to ?? null).toBe(to);
  });
  it('gives the reason a wont-do needs', () => {
    expect(mapExternalState(gh('closed', 'not_planned'), 'open')).toEqual({ to: 'wont-do', reason: 'closed as not planned in GitHub' });
  });
});
