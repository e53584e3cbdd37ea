import { UsageError } from '../model/errors.js';
import { GITHUB_DEFAULT_API_URL, type GitHubConfig } from './github.js';
import type { JiraConfig } from './jira.js';

/** Without a token (a dry run needs none) the config carries an empty credential that is never sent. */
export interface ConfigOptions {
  requireCredentials: boolean;
}

function httpUrl(value: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${variable} must be an http(s) URL, not ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${variable} must be an http(s) URL, not ${JSON.stringify(value)}`);
  return value.replace(/\/+$/, '');
}

/** GitHub settings: HINDSIGHT_GITHUB_REPO (or --repo), GITHUB_TOKEN, optional HINDSIGHT_GITHUB_API_URL. */
export function githubConfigFromEnv(env: NodeJS.ProcessEnv, overrides: { repo?: string }, options: ConfigOptions): GitHubConfig {
  const repo = (overrides.repo ?? env.HINDSIGHT_GITHUB_REPO ?? '').trim();
  if (!repo) throw new UsageError('set HINDSIGHT_GITHUB_REPO=owner/repo (or pass --repo owner/repo) to export to GitHub');
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) {
    throw new UsageError(`${overrides.repo ? '--repo' : 'HINDSIGHT_GITHUB_REPO'} must look like owner/repo, not ${JSON.stringify(repo)}`);
  }
  const token = (env.GITHUB_TOKEN ?? '').trim();
  if (options.requireCredentials && !token) throw new UsageError('GITHUB_TOKEN is not set: create a token with read and write access to issues and export it as GITHUB_TOKEN');
  const apiUrl = env.HINDSIGHT_GITHUB_API_URL?.trim() ? httpUrl(env.HINDSIGHT_GITHUB_API_URL.trim(), 'HINDSIGHT_GITHUB_API_URL') : GITHUB_DEFAULT_API_URL;
  return { repo, token, apiUrl };
}

/**
 * Jira settings: JIRA_BASE_URL, HINDSIGHT_JIRA_PROJECT (or --project), and either JIRA_EMAIL +
 * JIRA_API_TOKEN (Cloud, Basic auth) or JIRA_PAT (Data Center personal access token, Bearer).
 * Optional: HINDSIGHT_JIRA_ISSUE_TYPE (default Task), HINDSIGHT_JIRA_PRIORITY=off to leave priority unset.
 */
export function jiraConfigFromEnv(env: NodeJS.ProcessEnv, overrides: { project?: string }, options: ConfigOptions): JiraConfig {
  const base = (env.JIRA_BASE_URL ?? '').trim();
  if (!base) throw new UsageError('set JIRA_BASE_URL (e.g. https://your-site.atlassian.net) to export to Jira');
  const baseUrl = httpUrl(base, 'JIRA_BASE_URL');
  const project = (overrides.project ?? env.HINDSIGHT_JIRA_PROJECT ?? '').trim();
  if (!project) throw new UsageError('set HINDSIGHT_JIRA_PROJECT to the Jira project key (or pass --project KEY)');
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(project)) throw new UsageError(`${overrides.project ? '--project' : 'HINDSIGHT_JIRA_PROJECT'} must be a Jira project key such as SEC, not ${JSON.stringify(project)}`);
  const email = (env.JIRA_EMAIL ?? '').trim();
  const apiToken = (env.JIRA_API_TOKEN ?? '').trim();
  const pat = (env.JIRA_PAT ?? '').trim();
  let authorization = '';
  let credentialSource = 'JIRA_EMAIL and JIRA_API_TOKEN';
  if (email && apiToken) authorization = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
  else if (pat) {
    authorization = `Bearer ${pat}`;
    credentialSource = 'JIRA_PAT';
  } else if (options.requireCredentials) {
    const missing = email ? 'JIRA_API_TOKEN' : apiToken ? 'JIRA_EMAIL' : 'JIRA_EMAIL and JIRA_API_TOKEN (or JIRA_PAT)';
    throw new UsageError(`${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set: Jira needs an account email with an API token, or a personal access token in JIRA_PAT`);
  }
  const issueType = (env.HINDSIGHT_JIRA_ISSUE_TYPE ?? '').trim() || 'Task';
  const setPriority = !/^(off|false|0|no)$/i.test((env.HINDSIGHT_JIRA_PRIORITY ?? '').trim());
  return { baseUrl, project: project.toUpperCase(), authorization, credentialSource, issueType, setPriority };
}
