import { afterAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/model/roles.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { startHarness, type Harness } from './harness.js';

/**
 * The task, template, people and "my work" routes on SQLite and PostgreSQL: who may call what,
 * bad input answered 400 with nothing written, restricted incidents answering like unknown ones.
 */
const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL task API tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_tasks_api');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('task API tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

interface Task {
  id: string;
  title: string;
  assignee: string | null;
  dueDate: string | null;
  status: string;
  version: number;
  overdue: boolean;
  templateId: string | null;
}

describe.runIf(run).each(targets)('tasks and templates API on $name', ({ open }) => {
  it('applies templates, manages tasks, lists people and my work', async () => {
    const h: Harness = await startHarness(await open(), bundle.path as string);
    const as = (role: Role) => ({ authorization: `Bearer ${h.tokens[role]}` });
    const call = (role: Role, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) => h.app.inject({ method, url, headers: as(role), ...(payload ? { payload } : {}) });
    try {
      await h.app.auth.updateUser('reviewer', { email: 'rita@example.org', displayName: 'Rita Reviewer' }, 'test');
      const id = h.incidentId;

      // The template: the rule's pick before anything is applied; starting the review applies it.
      const before = (await call('viewer', 'GET', `/api/incidents/${id}/template`)).json() as { applied: unknown; suggested: { templateId: string; reasons: string[] }; templates: { id: string }[] };
      expect(before.applied).toBeNull();
      expect(before.suggested.templateId).toBe('ransomware');
      expect(before.templates.map((t) => t.id)).toContain('business-email-compromise');
      expect((await call('analyst', 'POST', `/api/incidents/${id}/review/start`, {})).statusCode).toBe(200);
      const after = (await call('viewer', 'GET', `/api/incidents/${id}/template`)).json() as { applied: { templateId: string; chosenBy: string; sections: { key: string }[] } };
      expect(after.applied).toMatchObject({ templateId: 'ransomware', chosenBy: 'rule' });
      const list = (await call('viewer', 'GET', `/api/incidents/${id}/tasks`)).json() as { tasks: Task[] };
      expect(list.tasks).toHaveLength(4);

      // Unknown template: 400, nothing changed.
      const unknownTemplate = await call('analyst', 'PUT', `/api/incidents/${id}/template`, { templateId: 'volcano' });
      expect(unknownTemplate.statusCode).toBe(400);
      expect(unknownTemplate.json()).toMatchObject({ error: { code: 'invalid-input', message: expect.stringMatching(/unknown template "volcano"/) } });
      expect(((await call('viewer', 'GET', `/api/incidents/${id}/template`)).json() as typeof after).applied.templateId).toBe('ransomware');

      // Template answers by key.
      const answer = await call('analyst', 'PUT', `/api/incidents/${id}/template/answers/recovery`, { answer: 'Restored from immutable copies.' });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ id: 'ransomware.recovery', version: 1, answeredBy: 'analyst' });
      expect((await call('analyst', 'PUT', `/api/incidents/${id}/template/answers/nope`, { answer: 'x' })).statusCode).toBe(404);

      // Tasks: created with a user or an address; bad dates and unknown people refused.
      const created = await call('analyst', 'POST', `/api/incidents/${id}/tasks`, { title: 'Brief the board', assignee: 'rita@example.org', dueDate: '2020-02-29' });
      expect(created.statusCode).toBe(201);
      const task = created.json() as Task;
      expect(task).toMatchObject({ assignee: 'reviewer', dueDate: '2020-02-29', status: 'open', overdue: true, version: 1, templateId: null });
      // The assignee is told, through the notification outbox written in the same transaction.
      const told = await h.store.db.selectFrom('notificationEvents').select(['kind', 'subjectId', 'recipients', 'actor']).where('subjectId', '=', task.id).execute();
      expect(told).toEqual([{ kind: 'task.assigned', subjectId: task.id, recipients: JSON.stringify(['reviewer']), actor: 'analyst' }]);
      for (const [payload, message] of [
        [{ title: 'x', dueDate: '2026-02-30' }, /dueDate.*real calendar date/],
        [{ title: 'x', assignee: 'nobody' }, /"nobody" is neither a user of Hindsight nor an e-mail address/],
        [{ title: '' }, /title/],
        [{ title: 'x', extra: 1 }, /extra|unrecognized/i],
      ] as const) {
        const bad = await call('analyst', 'POST', `/api/incidents/${id}/tasks`, payload);
        expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
        expect((bad.json() as { error: { message: string } }).error.message).toMatch(message);
      }
      expect(((await call('viewer', 'GET', `/api/incidents/${id}/tasks`)).json() as { tasks: Task[] }).tasks).toHaveLength(5);
      expect((await call('viewer', 'POST', `/api/incidents/${id}/tasks`, { title: 'x' })).statusCode).toBe(403);

      // Update with optimistic concurrency; a task of another incident answers 404.
      const patched = await call('analyst', 'PATCH', `/api/incidents/${id}/tasks/${task.id}`, { status: 'in-progress', expectedVersion: 1 });
      expect(patched.json()).toMatchObject({ status: 'in-progress', version: 2 });
      expect((await call('analyst', 'PATCH', `/api/incidents/${id}/tasks/${task.id}`, { title: 'Stale', expectedVersion: 1 })).statusCode).toBe(409);
      expect((await call('analyst', 'PATCH', `/api/incidents/${id}/tasks/${task.id}`, { status: 'finished' })).statusCode).toBe(400);
      expect((await call('analyst', 'PATCH', `/api/incidents/${h.otherIncidentId}/tasks/${task.id}`, { status: 'done' })).statusCode).toBe(404);
      const filtered = (await call('viewer', 'GET', `/api/incidents/${id}/tasks?status=in-progress`)).json() as { tasks: Task[] };
      expect(filtered.tasks.map((t) => t.id)).toEqual([task.id]);

      // People: accounts that can take work, with display names and addresses.
      const people = (await call('viewer', 'GET', '/api/people')).json() as { people: { username: string; displayName: string | null; email: string | null }[] };
      expect(people.people).toContainEqual({ username: 'reviewer', displayName: 'Rita Reviewer', email: 'rita@example.org' });
      expect((await h.app.inject({ url: '/api/people' })).statusCode).toBe(401);

      // My work: the reviewer's task, overdue first.
      const work = (await call('reviewer', 'GET', '/api/my-work')).json() as { user: string; tasks: { id: string; overdue: boolean; incidentTitle: string }[]; overdue: number };
      expect(work.user).toBe('reviewer');
      expect(work.tasks).toEqual([expect.objectContaining({ id: task.id, overdue: true, incidentTitle: expect.any(String) })]);
      expect(work.overdue).toBe(1);

      // The report carries the template and the tasks.
      const report = (await call('viewer', 'GET', `/api/incidents/${id}`)).json() as { report: { tasks: Task[]; template: { templateId: string; sections: { key: string; answer: string | null }[] } } };
      expect(report.report.tasks.map((t) => t.id)).toContain(task.id);
      expect(report.report.template.sections.find((s) => s.key === 'recovery')?.answer).toBe('Restored from immutable copies.');
      // The template's questions and sections count towards completeness: 10 + 3 questions, 4 + 2 sections, one of them written.
      const parts = (report.report as unknown as { completeness: { parts: { id: string; done: number; total: number; missing: string[] }[] } }).completeness.parts;
      expect(parts.find((p) => p.id === 'questions')).toMatchObject({ total: 13 });
      expect(parts.find((p) => p.id === 'questions')?.missing).toContain('template question ransomware.backups-intact "Were the backups intact, offline or immutable, and did the restore meet the recovery time objective?"');
      const sectionsPart = parts.find((p) => p.id === 'sections');
      expect(sectionsPart?.total).toBe(6);
      expect(sectionsPart?.missing).toContain('template section ransomware.extortion (Extortion and communication) is empty');
      expect(sectionsPart?.missing.join(' ')).not.toMatch(/ransomware\.recovery/);

      // A restricted incident looks like an unknown one, and its tasks leave my work.
      expect((await call('admin', 'PUT', `/api/incidents/${id}/access`, { users: ['admin'] })).statusCode).toBe(200);
      expect((await call('reviewer', 'GET', `/api/incidents/${id}/tasks`)).statusCode).toBe(404);
      expect((await call('reviewer', 'GET', `/api/incidents/${id}/template`)).statusCode).toBe(404);
      expect(((await call('reviewer', 'GET', '/api/my-work')).json() as { tasks: unknown[] }).tasks).toEqual([]);
      expect((await call('admin', 'PUT', `/api/incidents/${id}/access`, { users: [] })).statusCode).toBe(200);

      // Delete, then it is gone.
      expect((await call('analyst', 'DELETE', `/api/incidents/${id}/tasks/${task.id}?expectedVersion=1`)).statusCode).toBe(409);
      expect((await call('analyst', 'DELETE', `/api/incidents/${id}/tasks/${task.id}`)).json()).toEqual({ deleted: task.id });
      expect((await call('analyst', 'DELETE', `/api/incidents/${id}/tasks/${task.id}`)).statusCode).toBe(404);

      // Action item owners: a user or an address; an unknown name is refused.
      const badOwner = await call('analyst', 'POST', `/api/incidents/${id}/action-items`, { type: 'fix', title: 'Segment the network', owner: 'net-team' });
      expect(badOwner.statusCode).toBe(400);
      const okOwner = await call('analyst', 'POST', `/api/incidents/${id}/action-items`, { type: 'fix', title: 'Segment the network', owner: 'analyst' });
      expect(okOwner.json()).toMatchObject({ owner: 'analyst' });

      const templates = (await call('viewer', 'GET', '/api/review-templates')).json() as { origin: string; templates: { id: string; tasks: unknown[] }[] };
      expect(templates.origin).toBe('default');
      expect(templates.templates).toHaveLength(7);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });
});
