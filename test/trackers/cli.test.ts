import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { listAuditEntries } from '../../src/store/audit/list.js';
import { verifyAuditChain } from '../../src/store/audit/verify.js';
import { auditKeyFileOf, readKeyring } from '../../src/store/audit/keyring.js';
import { runCliInProcess, type CliRun } from '../helpers/cli-in-process.js';
import { addActionItem, listActionItems, reviewHistory } from '../../src/app/review/index.js';
import { openStore } from '../../src/store/index.js';
import { sampleIncident } from '../fixtures/review/incident.js';
import { FakeGitHub } from '../fixtures/trackers/fake-github.js';
import { FakeJira } from '../fixtures/trackers/fake-jira.js';
import { allowAuditInserts, dumpTables, refuseAuditInserts } from '../helpers/audit.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-trackers-'));
let n = 0;
let db: string;
let incidentId: string;
let actionIds: string[];
const envKeys = ['HINDSIGHT_GITHUB_REPO', 'GITHUB_TOKEN', 'HINDSIGHT_GITHUB_API_URL', 'JIRA_BASE_URL', 'HINDSIGHT_JIRA_PROJECT', 'JIRA_EMAIL', 'JIRA_API_TOKEN', 'JIRA_PAT'];
const savedEnv: Record<string, string | undefined> = {};

beforeAll(() => {
  for (const k of envKeys) savedEnv[k] = process.env[k];
});
afterAll(() => {
  for (const k of envKeys) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const k of envKeys) delete process.env[k];
  process.exitCode = undefined;
  db = join(dir, `h${n++}.db`);
  const store = await openStore({ db, env: {} });
  try {
    const { results } = await store.importIncidents([sampleIncident({ title: 'Phishing <b>leads</b> to compromise' })]);
    incidentId = results[0]!.id;
    // One second apart, so the items list in the order they were added (not by their random ids).
    const clock = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock + 1000);
    const a = await addActionItem(store, incidentId, { type: 'detection-engineering', title: 'Alert on proxy sign-ins', owner: 'dee', team: 'detection', dueDate: '2026-06-01', priority: 'high', closureCriteria: 'Rule deployed' }, { actor: 'ana' });
    vi.setSystemTime(clock + 2000);
    const b = await addActionItem(store, incidentId, { type: 'training', title: 'Phishing drill' }, { actor: 'ana' });
    actionIds = [a.id, b.id];
  } finally {
    vi.useRealTimers();
    await store.close();
  }
});
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

function run(...args: string[]): Promise<CliRun> {
  return runCliInProcess(['--db', db, ...args]);
}

async function items() {
  const store = await openStore({ db, env: {} });
  try {
    return { list: await listActionItems(store, {}), history: await reviewHistory(store, incidentId, { entityType: 'action-item' }) };
  } finally {
    await store.close();
  }
}

describe('hindsight actions export / sync (GitHub)', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = await new FakeGitHub('acme/sec', 'ghp_cli_token').start();
    process.env.HINDSIGHT_GITHUB_API_URL = gh.server.baseUrl;
  });
  afterEach(async () => {
    await gh.server.stop();
  });

  it('exits 2 naming the missing variable, and writes nothing', async () => {
    process.env.HINDSIGHT_GITHUB_REPO = 'acme/sec';
    const r = await run('actions', 'export', incidentId, '--to', 'github');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/GITHUB_TOKEN is not set/);
    expect(gh.requests).toHaveLength(0);
    delete process.env.HINDSIGHT_GITHUB_REPO;
    const noRepo = await run('actions', 'export', '--all', '--to', 'github', '--dry-run');
    expect(noRepo.status).toBe(2);
    expect(noRepo.stderr).toMatch(/HINDSIGHT_GITHUB_REPO/);
  });

  it('--dry-run --json prints the payloads, sends nothing and shows no token', async () => {
    process.env.HINDSIGHT_GITHUB_REPO = 'acme/sec';
    process.env.GITHUB_TOKEN = 'ghp_cli_token';
    const r = await run('actions', 'export', incidentId, '--to', 'github', '--dry-run', '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { dryRun: boolean; requests: { method: string; url: string; body: { title: string; labels: string[]; body: string } }[] };
    expect(doc.dryRun).toBe(true);
    expect(doc.requests.map((q) => [q.method, q.url, q.body.title, q.body.labels])).toEqual([
      ['POST', `${gh.server.baseUrl}/repos/acme/sec/issues`, 'Alert on proxy sign-ins', ['hindsight', `hindsight:${actionIds[0]}`]],
      ['POST', `${gh.server.baseUrl}/repos/acme/sec/issues`, 'Phishing drill', ['hindsight', `hindsight:${actionIds[1]}`]],
    ]);
    expect(doc.requests[0]!.body.body).toContain('Phishing &lt;b&gt;leads&lt;/b&gt; to compromise');
    expect(r.stdout + r.stderr).not.toContain('ghp_cli_token');
    expect(gh.requests).toHaveLength(0);
    const text = await run('actions', 'export', incidentId, '--to', 'github', '--dry-run');
    expect(text.stdout).toContain(`POST ${gh.server.baseUrl}/repos/acme/sec/issues`);
    expect(text.stdout).toContain('Authorization: (from the environment, not shown)');
    expect(text.stdout + text.stderr).not.toContain('ghp_cli_token');
  });

  it('exports, is idempotent, and sync records the tracker state through the review lifecycle', async () => {
    process.env.HINDSIGHT_GITHUB_REPO = 'acme/sec';
    process.env.GITHUB_TOKEN = 'ghp_cli_token';
    const first = await run('actions', 'export', '--all', '--to', 'github', '--json');
    expect(first.status).toBe(0);
    expect((JSON.parse(first.stdout) as { created: unknown[] }).created).toHaveLength(2);
    let state = await items();
    expect(state.list.map((a) => [a.externalSystem, a.externalKey, a.externalState])).toEqual([
      ['github', '1', 'open'],
      ['github', '2', 'open'],
    ]);

    const again = await run('actions', 'export', '--all', '--to', 'github', '--json');
    expect((JSON.parse(again.stdout) as { created: unknown[]; skipped: unknown[] }).skipped).toHaveLength(2);
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(2);

    // Done in GitHub, then reopened; the other closed as not planned.
    gh.issues[0]!.state = 'closed';
    gh.issues[0]!.state_reason = 'completed';
    gh.issues[1]!.state = 'closed';
    gh.issues[1]!.state_reason = 'not_planned';
    const sync = await run('actions', 'sync', '--json');
    expect(sync.status).toBe(0);
    state = await items();
    expect(state.list.map((a) => [a.status, a.wontDoReason, a.externalState])).toEqual([
      ['done', null, 'closed:completed'],
      ['wont-do', 'closed as not planned in GitHub', 'closed:not_planned'],
    ]);
    expect(state.history.some((h) => h.actor === 'github:acme/sec')).toBe(true);

    gh.issues[0]!.state = 'open';
    gh.issues[0]!.state_reason = 'reopened';
    gh.issues[1]!.state = 'open';
    gh.issues[1]!.state_reason = 'reopened';
    const reopened = await run('actions', 'sync');
    expect(reopened.status).toBe(0);
    expect(reopened.stdout).toMatch(/done -> in-progress/);
    state = await items();
    // wont-do reopens to open, the only move its lifecycle allows.
    expect(state.list.map((a) => a.status)).toEqual(['in-progress', 'open']);
  });

  it('records every link and synced state in the audit trail, in the same transaction as the write', async () => {
    process.env.HINDSIGHT_GITHUB_REPO = 'acme/sec';
    process.env.GITHUB_TOKEN = 'ghp_cli_token';
    expect((await run('actions', 'export', '--all', '--to', 'github')).status).toBe(0);
    gh.issues[0]!.state = 'closed';
    gh.issues[0]!.state_reason = 'completed';
    const store = await openStore({ db, env: {} });
    try {
      // Newest first: the two links the export made, after the two items were added.
      const exported = await listAuditEntries(store.db, { entityType: 'action-item' });
      expect(exported.map((e) => e.action)).toEqual(['action-item.link', 'action-item.link', 'action-item.add', 'action-item.add']);
      const links = exported.slice(0, 2);
      expect(links.map((e) => e.entityId).sort()).toEqual([...actionIds].sort());
      expect(links.every((e) => e.actor === 'hindsight-github' && (e.before as { externalKey: unknown }).externalKey === null)).toBe(true);

      // The audit trail refuses the entry: the synced state does not land either.
      const before = await dumpTables(store.db, 'sqlite');
      await refuseAuditInserts(store.db, 'sqlite');
      const refused = await run('actions', 'sync');
      await allowAuditInserts(store.db, 'sqlite');
      expect(refused.status).toBe(1);
      expect(refused.stdout).toMatch(/audit refused by the test/);
      expect(await dumpTables(store.db, 'sqlite')).toEqual(before);

      expect((await run('actions', 'sync')).status).toBe(0);
      const entries = await listAuditEntries(store.db, { entityType: 'action-item' });
      const moved = entries.find((e) => e.action === 'action-item.sync');
      expect(moved).toMatchObject({ actor: 'github:acme/sec', before: { status: 'open' }, after: { status: 'done', externalState: 'open' } });
      expect(entries.filter((e) => e.action === 'action-item.link').length).toBeGreaterThanOrEqual(3);
      // The commands ran in this process, sealing with the key file of its environment.
      expect((await verifyAuditChain(store.db, readKeyring(auditKeyFileOf(process.env)))).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('exits 1 and names the item when GitHub refuses the token', async () => {
    process.env.HINDSIGHT_GITHUB_REPO = 'acme/sec';
    process.env.GITHUB_TOKEN = 'wrong';
    const r = await run('actions', 'export', incidentId, '--to', 'github');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAILED  action item ${actionIds[0]} ("Alert on proxy sign-ins"): not exported: could not list the issues labelled hindsight: GitHub rejected the credentials (401 Bad credentials); check GITHUB_TOKEN`);
    expect((await items()).list.every((a) => a.externalKey === null)).toBe(true);
  });
});

describe('hindsight actions export / sync (Jira)', () => {
  let jira: FakeJira;
  beforeEach(async () => {
    jira = await new FakeJira('SEC', `Basic ${Buffer.from('ana@example.com:jt').toString('base64')}`).start();
    process.env.JIRA_BASE_URL = jira.server.baseUrl;
    process.env.HINDSIGHT_JIRA_PROJECT = 'SEC';
  });
  afterEach(async () => {
    await jira.server.stop();
  });

  it('exports to Jira and syncs a done status back', async () => {
    process.env.JIRA_EMAIL = 'ana@example.com';
    const missing = await run('actions', 'export', incidentId, '--to', 'jira');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/JIRA_API_TOKEN is not set/);
    process.env.JIRA_API_TOKEN = 'jt';
    const r = await run('actions', 'export', incidentId, '--to', 'jira', '--json');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { created: { key: string }[] }).created.map((c) => c.key)).toEqual(['SEC-1', 'SEC-2']);
    jira.issues[0]!.statusCategory = 'done';
    jira.issues[0]!.statusName = 'Done';
    jira.issues[1]!.statusCategory = 'indeterminate';
    const sync = await run('actions', 'sync', '--json');
    expect(sync.status).toBe(0);
    expect((await items()).list.map((a) => [a.status, a.externalKey, a.externalUrl])).toEqual([
      ['done', 'SEC-1', `${jira.server.baseUrl}/browse/SEC-1`],
      ['in-progress', 'SEC-2', `${jira.server.baseUrl}/browse/SEC-2`],
    ]);
  });
});
