import { useState, type FormEvent } from 'react';
import { api, dataOf, type Schemas } from '../api';
import { Badge, useApi, when } from './common';
import { PersonPicker, personLabel, personProblem, usePeople } from './PersonPicker';

type Task = Schemas['ReviewTask'];
type Applied = Schemas['AppliedTemplate'];
type Prompt = Schemas['TemplatePrompt'];
type TaskStatus = Task['status'];
const STATUSES: TaskStatus[] = ['open', 'in-progress', 'done', 'cancelled'];
/** The fields a task change names. */
interface TaskChange {
  title?: string;
  assignee?: string | null;
  dueDate?: string | null;
  status?: TaskStatus;
}

export interface ReviewTasksProps {
  incidentId: string;
  tasks: Task[];
  template: Applied | null;
  /** The review's content can be edited (the template's answers, choosing a template). */
  editable: boolean;
  /** The user may add and change tasks (an analyst; tasks move in any review state). */
  canEdit: boolean;
  /** Runs a write and reports it (reloads the review after). */
  run: (what: string, fn: () => Promise<unknown>) => Promise<boolean>;
}

/**
 * The template the review follows (chosen by the incident's rule or by hand), its extra sections
 * and questions, and the review's tasks: who does what by when, with inline status changes.
 */
export function ReviewTasks({ incidentId, tasks, template, editable, canEdit, run }: ReviewTasksProps) {
  const path = { id: incidentId };
  const choice = useApi(() => dataOf(api.GET('/api/incidents/{id}/template', { params: { path } })), `${incidentId}:${template?.templateId ?? ''}:${template?.templateVersion ?? ''}`);
  const [picked, setPicked] = useState('');
  const people = usePeople();

  const apply = (templateId: string | undefined) => {
    const replacing = template && templateId !== template.templateId;
    if (replacing && !window.confirm(`Switch this review to another template? Its untouched tasks from "${template.name}" are removed; tasks someone worked on stay.`)) return;
    void run(templateId ? `Template ${templateId} applied` : 'The template the rule picks is applied', () => api.PUT('/api/incidents/{id}/template', { params: { path }, body: templateId ? { templateId } : {} })).then(() => choice.reload());
  };

  const suggested = choice.data?.suggested;
  return (
    <section className="panel review-tasks" aria-labelledby="tasks-title">
      <h2 id="tasks-title">Template and tasks</h2>
      {template ? (
        <p>
          This review follows <strong>{template.name}</strong> <span className="muted small">(template {template.templateId}, version {template.templateVersion}, {template.chosenBy === 'rule' ? `chosen by rule: ${template.reasons.join('; ') || 'the default'}` : `chosen by ${template.appliedBy}`} on {when(template.appliedAt)})</span>
        </p>
      ) : (
        <p>
          No template yet.{' '}
          {suggested && (
            <>
              The incident&apos;s rule picks <strong>{suggested.name}</strong>
              {suggested.reasons.length > 0 ? <span className="muted small"> ({suggested.reasons.join('; ')})</span> : <span className="muted small"> (the default: no other template matches)</span>}.{' '}
              {editable && <button type="button" className="primary" onClick={() => apply(undefined)}>Apply {suggested.name}</button>}
            </>
          )}
        </p>
      )}
      {editable && choice.data && (
        <div className="row template-choice">
          <div className="field">
            <label htmlFor="template-pick">Choose a template by hand</label>
            <select id="template-pick" value={picked} onChange={(e) => setPicked(e.target.value)}>
              <option value="">—</option>
              {choice.data.templates.map((t) => <option key={t.id} value={t.id}>{t.name} (v{t.version})</option>)}
            </select>
          </div>
          <button type="button" disabled={!picked || picked === template?.templateId} onClick={() => apply(picked)}>Apply template</button>
        </div>
      )}

      {template && template.sections.length + template.questions.length > 0 && (
        <div className="template-prompts">
          {template.sections.map((p) => <PromptEditor key={p.id} prompt={p} kind="section" incidentId={incidentId} editable={editable} run={run} />)}
          {template.questions.length > 0 && <h3>Questions of this template</h3>}
          {template.questions.map((p) => <PromptEditor key={p.id} prompt={p} kind="question" incidentId={incidentId} editable={editable} run={run} />)}
        </div>
      )}

      <h3 id="task-list-title">Tasks <span className="muted small">{tasks.length} task(s), {tasks.filter((t) => t.overdue).length} overdue</span></h3>
      {tasks.length === 0 ? (
        <p className="muted">No tasks yet.</p>
      ) : (
        <table className="grid tasks">
          <caption className="sr-only">Tasks of this review</caption>
          <thead>
            <tr><th scope="col">Task</th><th scope="col">Assignee</th><th scope="col">Due</th><th scope="col">Status</th>{canEdit && <th scope="col"><span className="sr-only">Actions</span></th>}</tr>
          </thead>
          <tbody>{tasks.map((t) => <TaskRow key={t.id} task={t} incidentId={incidentId} canEdit={canEdit} run={run} people={people} />)}</tbody>
        </table>
      )}
      {canEdit && <AddTask incidentId={incidentId} run={run} />}
    </section>
  );
}

function PromptEditor({ prompt, kind, incidentId, editable, run }: { prompt: Prompt; kind: 'section' | 'question'; incidentId: string; editable: boolean; run: ReviewTasksProps['run'] }) {
  const [text, setText] = useState<string | null>(null);
  const id = `tpl-${prompt.id.replace(/[^a-z0-9-]/gi, '-')}`;
  const Heading = kind === 'section' ? 'h3' : 'h4';
  const value = text ?? prompt.answer ?? '';
  return (
    <div className="template-prompt">
      <Heading id={`${id}-h`}>{prompt.title}</Heading>
      {prompt.guidance && <p className="muted small" id={`${id}-g`}>{prompt.guidance}</p>}
      {editable ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(`Saved "${prompt.title}"`, () => api.PUT('/api/incidents/{id}/template/answers/{key}', { params: { path: { id: incidentId, key: prompt.key } }, body: { answer: value, expectedVersion: prompt.version } })).then((ok) => ok && setText(null));
          }}
        >
          <label htmlFor={id} className="sr-only">{prompt.title}</label>
          <textarea id={id} rows={3} value={value} aria-describedby={prompt.guidance ? `${id}-g` : undefined} onChange={(e) => setText(e.target.value)} />
          <div className="row">
            <button type="submit" disabled={text === null}>Save</button>
            {prompt.answeredBy && <span className="muted small">last saved by {prompt.answeredBy} at {when(prompt.answeredAt)}</span>}
          </div>
        </form>
      ) : (
        <p className="prose">{prompt.answer?.trim() ? prompt.answer : <span className="muted">Not answered yet.</span>}</p>
      )}
    </div>
  );
}

function TaskRow({ task, incidentId, canEdit, run, people }: { task: Task; incidentId: string; canEdit: boolean; run: ReviewTasksProps['run']; people: ReturnType<typeof usePeople> }) {
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ title: task.title, assignee: task.assignee ?? '', dueDate: task.dueDate ?? '' });
  const path = { id: incidentId, taskId: task.id };
  const patch = (what: string, body: TaskChange) =>
    run(what, () => api.PATCH('/api/incidents/{id}/tasks/{taskId}', { params: { path }, body: { ...body, expectedVersion: task.version } }));

  if (editing) {
    const invalid = personProblem(form.assignee, people) !== null || !form.title.trim();
    return (
      <tr>
        <td colSpan={canEdit ? 5 : 4}>
          <form
            className="row task-edit"
            aria-label={`Edit task ${task.title}`}
            onSubmit={(e) => {
              e.preventDefault();
              void patch(`Task "${form.title}" saved`, { title: form.title.trim(), assignee: form.assignee.trim() || null, dueDate: form.dueDate || null }).then((ok) => ok && setEditing(false));
            }}
          >
            <div className="field grow"><label htmlFor={`te-title-${task.id}`}>Title</label><input id={`te-title-${task.id}`} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} required /></div>
            <PersonPicker id={`te-assignee-${task.id}`} label="Assignee" value={form.assignee} onChange={(assignee) => setForm({ ...form, assignee })} />
            <div className="field"><label htmlFor={`te-due-${task.id}`}>Due</label><input id={`te-due-${task.id}`} type="date" value={form.dueDate} onChange={(e) => setForm({ ...form, dueDate: e.target.value })} /></div>
            <button type="submit" className="primary" disabled={invalid}>Save</button>
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
          </form>
        </td>
      </tr>
    );
  }
  return (
    <tr className={task.overdue ? 'overdue' : undefined}>
      <td>
        {task.title}
        {task.templateId && <span className="muted small"> · from {task.templateId}</span>}
        {task.description && <><br /><span className="muted small">{task.description}</span></>}
      </td>
      <td>{task.assignee ? personLabel(task.assignee, people) : <span className="muted">unassigned{task.role ? ` (${task.role})` : ''}</span>}</td>
      <td>{task.dueDate ?? '—'} {task.overdue && <Badge value="overdue" kind="warn" />}</td>
      <td>
        {canEdit ? (
          <select aria-label={`Status of ${task.title}`} value={task.status} onChange={(e) => void patch(`Task "${task.title}" is ${e.target.value}`, { status: e.target.value as TaskStatus })}>
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        ) : (
          <Badge value={task.status} />
        )}
      </td>
      {canEdit && (
        <td className="row-actions">
          <button type="button" onClick={() => { setForm({ title: task.title, assignee: task.assignee ?? '', dueDate: task.dueDate ?? '' }); setEditing(true); }} aria-label={`Edit ${task.title}`}>Edit</button>
          <button
            type="button"
            className="danger"
            aria-label={`Delete ${task.title}`}
            onClick={() => {
              if (window.confirm(`Delete the task "${task.title}"?`)) void run(`Task "${task.title}" deleted`, () => api.DELETE('/api/incidents/{id}/tasks/{taskId}', { params: { path, query: { expectedVersion: task.version } } }));
            }}
          >
            Delete
          </button>
        </td>
      )}
    </tr>
  );
}

function AddTask({ incidentId, run }: { incidentId: string; run: ReviewTasksProps['run'] }) {
  const empty = { title: '', assignee: '', dueDate: '', role: '' };
  const [form, setForm] = useState(empty);
  const people = usePeople();
  const invalid = personProblem(form.assignee, people) !== null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { title: form.title.trim(), assignee: form.assignee.trim() || null, dueDate: form.dueDate || null, role: form.role.trim() || null };
    void run(`Task "${body.title}" added`, () => api.POST('/api/incidents/{id}/tasks', { params: { path: { id: incidentId } }, body })).then((ok) => ok && setForm(empty));
  };
  return (
    <form className="stack add-task" onSubmit={submit} aria-labelledby="add-task-title">
      <h4 id="add-task-title">Add a task</h4>
      <div className="row">
        <div className="field grow"><label htmlFor="task-title">Title</label><input id="task-title" value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} required maxLength={500} /></div>
        <PersonPicker id="task-assignee" label="Assignee" value={form.assignee} onChange={(assignee) => setForm({ ...form, assignee })} />
        <div className="field"><label htmlFor="task-due">Due</label><input id="task-due" type="date" value={form.dueDate} onChange={(e) => setForm({ ...form, dueDate: e.target.value })} /></div>
        <div className="field"><label htmlFor="task-role">Role (optional)</label><input id="task-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })} maxLength={200} /></div>
      </div>
      <button type="submit" className="primary" disabled={invalid || !form.title.trim()}>Add task</button>
    </form>
  );
}
