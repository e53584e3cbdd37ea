import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../../src/app/import.js';
import { addUser } from '../../../src/app/accounts/users.js';
import { addActionItem } from '../../../src/app/review/action-items.js';
import { listTasks } from '../../../src/app/review/tasks.js';
import { defaultTemplatesDir, loadTemplates, suggestTemplate } from '../../../src/app/review/templates.js';
import { registerCommandModules } from '../../../src/cli/commands/index.js';
import type { CliContext } from '../../../src/cli/context.js';
import { buildProgram, reportError } from '../../../src/cli/main.js';
import { storeFailureOf } from '../../../src/cli/services.js';
import { findIncident } from '../../../src/app/incidents.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';
import { tasksDueBy } from '../../../src/store/reviews/tasks.js';
import { pgAvailable, projectRoot, requireOrSkip } from '../../helpers/env.js';
import { postgresSchemas } from '../../helpers/pg.js';

/**
 * Review templates and tasks through the use cases and the command line (run in-process, the same
 * program `hindsight` runs), on SQLite and PostgreSQL: a template chosen by rule when the review
 * starts, its tasks with real due dates, tasks added, changed and removed, "my work", the report,
 * and bad input (unknown template, impossible date, unknown assignee) refused with exit 2.
 */
const dir = mkdtempSync(join(tmpdir(), 'hindsight-tasks-'));
const env: NodeJS.ProcessEnv = { HOME: dir, HINDSIGHT_AUDIT_KEY_FILE: join(dir, 'audit.key'), HINDSIGHT_USER: 'ana' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pg = await pgAvailable();
const targets: { name: string; db: () => string }[] = [{ name: 'SQLite', db: () => join(mkdtempSync(join(dir, 'db-')), 'h.db') }];
if (requireOrSkip('PostgreSQL task tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_tasks');
  targets.push({ name: 'PostgreSQL', db: () => schemas.next() });
  afterAll(() => schemas.dropAll());
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in this process with the given database. */
async function cli(db: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const holder: { program?: ReturnType<typeof buildProgram> } = {};
  const ctx: CliContext = {
    env: { ...env, ...extraEnv },
    globals() {
      const o = holder.program?.opts<{ db?: string; json?: boolean }>() ?? {};
      return { db: o.db, attack: undefined, json: Boolean(o.json) };
    },
    print: (t) => out.push(t),
    warn: (t) => err.push(t),
    printJson: (v) => out.push(JSON.stringify(v)),
  };
  const program = buildProgram(ctx, registerCommandModules);
  holder.program = program;
  let status = 0;
  try {
    await program.parseAsync(['--db', db, ...args], { from: 'user' });
  } catch (error) {
    status = reportError(await storeFailureOf(error), ctx);
  }
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function json<T>(db: string, args: string[]): Promise<T> {
  const r = await cli(db, ['--json', ...args]);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const today = () => new Date().toISOString().slice(0, 10);
const plusDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('review templates (shipped defaults)', () => {
  it('loads every shipped template and picks one per kind of example incident', async () => {
    const loaded = loadTemplates({ env: {} });
    expect(loaded.origin).toBe('default');
    expect(loaded.dir).toBe(defaultTemplatesDir());
    expect(loaded.templates.map((t) => t.id).sort()).toEqual(['business-email-compromise', 'cloud', 'default', 'identity-compromise', 'insider', 'phishing', 'ransomware']);
    const store = await openStore({ db: ':memory:', env });
    try {
      const imported = await importFiles(store, ['ransomware.json', 'phishing-credential-theft.json', 'identity-attack.json'].map((f) => join(projectRoot, 'examples', f)), { env: {} });
      const picks: string[] = [];
      for (const r of imported.results) {
        const incident = await findIncident(store, r.id, { raw: false });
        picks.push(suggestTemplate(loaded.templates, incident as NonNullable<typeof incident>).template.id);
      }
      // The identity example is tagged BEC by its team: business e-mail compromise outranks identity compromise.
      expect(picks).toEqual(['ransomware', 'phishing', 'business-email-compromise']);
    } finally {
      await store.close();
    }
  });

  it('refuses a broken template folder naming the file and line', () => {
    const custom = join(dir, 'broken');
    cpSync(defaultTemplatesDir(), custom, { recursive: true });
    writeFileSync(join(custom, 'cloud.yaml'), readFileSync(join(custom, 'cloud.yaml'), 'utf8').replace('dueInDays: 7', 'dueInDays: soon'));
    expect(() => loadTemplates({ dir: custom })).toThrow(/number/);
    try {
      loadTemplates({ dir: custom });
    } catch (error) {
      expect((error as { location?: { file?: string; line?: number } }).location).toMatchObject({ file: join(custom, 'cloud.yaml'), line: expect.any(Number) });
    }
    const twoDefaults = join(dir, 'two-defaults');
    mkdirSync(twoDefaults);
    cpSync(join(defaultTemplatesDir(), 'default.yaml'), join(twoDefaults, 'a.yaml'));
    writeFileSync(join(twoDefaults, 'b.yaml'), readFileSync(join(defaultTemplatesDir(), 'default.yaml'), 'utf8').replace('id: default', 'id: other'));
    expect(() => loadTemplates({ dir: twoDefaults })).toThrow(/exactly one template must be the default/);
    expect(() => loadTemplates({ env: { HINDSIGHT_TEMPLATES: join(dir, 'nowhere') } })).toThrow(/does not exist/);
  });
});

describe.each(targets)('tasks, templates and my work on $name', ({ db: makeDb }) => {
  it('starts a review with its template, tracks tasks, and lists my work', async () => {
    const db = makeDb();
    let store: OpenedStore = await openStore({ db, env });
    let incidentId = '';
    let otherId = '';
    try {
      const imported = await importFiles(store, ['ransomware.json', 'phishing-credential-theft.json'].map((f) => join(projectRoot, 'examples', f)), { env: {} });
      [incidentId, otherId] = imported.results.map((r) => r.id) as [string, string];
      await addUser(store, { username: 'ana', role: 'analyst', password: 'a-long-test-password', email: 'ana@example.org' }, 'test');
      await addUser(store, { username: 'rita', role: 'reviewer', password: 'a-long-test-password', displayName: 'Rita Reviewer' }, 'test');
    } finally {
      await store.close();
    }

    // Starting the review applies the template the incident's rule picks, with its tasks.
    const started = await json<{ state: string }>(db, ['review', 'start', incidentId]);
    expect(started.state).toBe('draft');
    const shown = await json<{ applied: { templateId: string; chosenBy: string; reasons: string[]; questions: { key: string }[] }; suggested: { templateId: string } }>(db, ['review', 'template', incidentId]);
    expect(shown.applied).toMatchObject({ templateId: 'ransomware', chosenBy: 'rule' });
    expect(shown.applied.reasons.join(' ')).toMatch(/T1486/);
    const listed = await json<{ tasks: { id: string; title: string; dueDate: string; templateId: string; status: string; assignee: string | null; role: string }[] }>(db, ['tasks', 'list', incidentId]);
    expect(listed.tasks).toHaveLength(4);
    expect(listed.tasks.every((t) => t.templateId === 'ransomware' && t.status === 'open' && t.assignee === null)).toBe(true);
    expect(listed.tasks.map((t) => t.dueDate).sort()).toEqual([plusDays(2), plusDays(2), plusDays(5), plusDays(7)].sort());
    // Applying the template the review follows again changes nothing and records nothing.
    const auditBefore = (await json<{ entries: unknown[] }>(db, ['audit', 'log', '--limit', '1000'])).entries.length;
    expect((await json<{ created: unknown[] }>(db, ['review', 'template', incidentId, '--set', 'ransomware'])).created).toEqual([]);
    expect((await json<{ entries: unknown[] }>(db, ['audit', 'log', '--limit', '1000'])).entries.length).toBe(auditBefore);

    // The template's questions are answered under their keys.
    const answered = await json<{ id: string; version: number }>(db, ['review', 'template', incidentId, '--answer', 'backups-intact', '--text', 'Yes: immutable copies restored in 6 hours.']);
    expect(answered).toMatchObject({ id: 'ransomware.backups-intact', version: 1 });
    expect((await cli(db, ['review', 'template', incidentId, '--answer', 'no-such-key', '--text', 'x'])).status).toBe(2);
    // Approval waits for the template's questions too (they count with the lessons-learned questions).
    const status = await json<{ completeness: { parts: { id: string; done: number; total: number }[] } }>(db, ['review', 'status', incidentId]);
    expect(status.completeness.parts.find((p) => p.id === 'questions')).toMatchObject({ done: 1, total: 13 });

    // Tasks by hand: an account, an outsider's address; real dates only; known people only.
    const mine = await json<{ id: string; assignee: string; version: number }>(db, ['tasks', 'add', incidentId, '--title', 'Brief the board', '--assignee', 'ana', '--due', '2020-03-01']);
    expect(mine.assignee).toBe('ana');
    const byMail = await json<{ assignee: string }>(db, ['tasks', 'add', incidentId, '--title', 'Confirm insurer claim', '--assignee', 'ANA@example.org', '--due', plusDays(3)]);
    expect(byMail.assignee).toBe('ana');
    const outsider = await json<{ id: string; assignee: string }>(db, ['tasks', 'add', incidentId, '--title', 'Send the forensic image', '--assignee', 'dfir@partner.example', '--due', plusDays(1)]);
    expect(outsider.assignee).toBe('dfir@partner.example');
    const badDate = await cli(db, ['tasks', 'add', incidentId, '--title', 'x', '--due', '2026-02-30']);
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toMatch(/dueDate: a real calendar date/);
    const unknown = await cli(db, ['tasks', 'add', incidentId, '--title', 'x', '--assignee', 'nobody-here']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/"nobody-here" is neither a user of Hindsight nor an e-mail address/);
    const badTemplate = await cli(db, ['review', 'template', incidentId, '--set', 'volcano']);
    expect(badTemplate.status).toBe(2);
    expect(badTemplate.stderr).toMatch(/unknown template "volcano" \(templates: business-email-compromise, cloud, default/);
    expect((await json<{ tasks: unknown[] }>(db, ['tasks', 'list', incidentId])).tasks).toHaveLength(7);

    // Update with the version read; a stale version is refused and nothing changes.
    const moved = await json<{ status: string; version: number }>(db, ['tasks', 'update', mine.id, '--status', 'in-progress', '--expect-version', String(mine.version)]);
    expect(moved).toMatchObject({ status: 'in-progress', version: 2 });
    const stale = await cli(db, ['tasks', 'update', mine.id, '--title', 'Brief the executive board', '--expect-version', '1']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/changed by ana/);
    expect((await cli(db, ['tasks', 'update', mine.id, '--due', '2026-13-01'])).status).toBe(2);
    await json(db, ['tasks', 'remove', outsider.id]);
    expect((await cli(db, ['tasks', 'remove', outsider.id])).status).toBe(2);

    // The report shows the template's answers and the tasks.
    const md = await cli(db, ['review', incidentId, '--format', 'md'], { HINDSIGHT_ATTACK_DATA: join(projectRoot, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz') });
    expect(md.status, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/## Template: Ransomware/);
    expect(md.stdout).toMatch(/Yes: immutable copies restored in 6 hours\./);
    expect(md.stdout).toMatch(/## Tasks/);
    expect(md.stdout).toMatch(/\| Brief the board \| ana \| 2020-03-01 \| \*\*in-progress \(overdue\)\*\*/);

    // A different template by hand replaces the untouched tasks of the first one.
    await addActionItem((store = await openStore({ db, env })), otherId, { type: 'fix', title: 'Block the phishing domain', owner: 'ana', dueDate: '2020-01-01' }, { actor: 'rita' });
    await store.close();
    const switched = await json<{ created: unknown[]; removed: string[]; template: { templateId: string; chosenBy: string } }>(db, ['review', 'template', incidentId, '--set', 'insider']);
    expect(switched.template).toMatchObject({ templateId: 'insider', chosenBy: 'hand' });
    expect(switched.removed).toHaveLength(4);
    expect(switched.created).toHaveLength(3);

    // My work: the tasks and action items of ana (by name and by address), overdue first.
    const work = await json<{ user: string; tasks: { title: string; overdue: boolean; incidentTitle: string }[]; actionItems: { title: string; overdue: boolean }[]; overdue: number }>(db, ['my-work', '--user', 'ana']);
    expect(work.tasks.map((t) => t.title)).toEqual(['Brief the board', 'Confirm insurer claim']);
    expect(work.tasks[0]).toMatchObject({ overdue: true, incidentTitle: expect.stringMatching(/ransomware/i) });
    expect(work.actionItems).toEqual([expect.objectContaining({ title: 'Block the phishing domain', overdue: true })]);
    expect(work.overdue).toBe(2);
    expect((await cli(db, ['my-work', '--user', 'ghost'])).status).toBe(2);
    const text = await cli(db, ['my-work', '--user', 'ana']);
    expect(text.stdout).toMatch(/OVERDUE Brief the board/);

    // Across incidents: by assignee (name or address) and overdue.
    const across = await json<{ tasks: { title: string; incidentId: string }[]; overdue: number }>(db, ['tasks', 'list', '--assignee', 'ana', '--overdue']);
    expect(across.tasks.map((t) => t.title)).toEqual(['Brief the board']);
    expect(across.overdue).toBe(1);
    expect((await cli(db, ['tasks', 'list', '--status', 'finished'])).status).toBe(2);

    // Reminders read the open tasks due by a day.
    store = await openStore({ db, env });
    try {
      const due = await tasksDueBy(store.db, today());
      expect(due.map((t) => t.title)).toContain('Brief the board');
      expect(due.every((t) => t.dueDate <= today() && t.status !== 'done')).toBe(true);
      const all = await listTasks(store, incidentId);
      expect(all.find((t) => t.title === 'Brief the board')?.overdue).toBe(true);
    } finally {
      await store.close();
    }
  });
});
