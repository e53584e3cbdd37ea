export * from './types.js';
export { TrackerRequestError, type HttpDeps } from './http.js';
export { GitHubClient, githubIssuePayload, githubIssueBody, type GitHubConfig } from './github.js';
export { JiraClient, jiraIssuePayload, jiraDescription, type JiraConfig } from './jira.js';
export { githubConfigFromEnv, jiraConfigFromEnv } from './config.js';
export { mapExternalState, externalStateText } from './state.js';
export { exportActionItems, syncActionItems, type ExportResult, type SyncResult, type SyncChange } from './service.js';
