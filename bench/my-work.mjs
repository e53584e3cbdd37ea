// Speed of "my work" and of the reminders' read of due tasks. Run `npm run build` first, then:
//   node bench/my-work.mjs [tasks] [action-items]
// Builds a SQLite store in a temporary folder with one incident, 20 people, the given number of
// tasks (default 20000) and action items (default 2000) spread over them, then prints the median
// time of myWork for one person, of tasksDueBy for today, and of listing one incident's tasks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importFiles } from '../dist/app/import.js';
import { addUser } from '../dist/app/accounts/users.js';
import { myWork } from '../dist/app/my-work.js';
import { listTasks } from '../dist/app/review/tasks.js';
import { openStore } from '../dist/store/index.js';
import { insertTasks, tasksDueBy } from '../dist/store/reviews/tasks.js';
import { insertActionItem } from '../dist/store/reviews/action-items.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TASKS = Number(process.argv[2] ?? 20_000);
const ITEMS = Number(process.argv[3] ?? 2_000);
const RUNS = 7;
const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-my-work-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;

try {
  const store = await openStore({ db: join(dir, 'h.db'), env: { HINDSIGHT_AUDIT_KEY_FILE: join(dir, 'audit.key') } });
  const imported = await importFiles(store, [join(root, 'examples', 'ransomware.json')], { env: {} });
  const incidentId = imported.results[0].id;
  const people = Array.from({ length: 20 }, (_, i) => `person${i}`);
  for (const username of people) await addUser(store, { username, role: 'reviewer', password: 'Juniper-Canyon-Violet-64', email: `${username}@example.org` }, 'bench');
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const stamp = { actor: 'bench', at: new Date().toISOString() };
  const t0 = performance.now();
  await store.transaction(async (tx) => {
    for (let start = 0; start < TASKS; start += 500) {
      const batch = Array.from({ length: Math.min(500, TASKS - start) }, (_, k) => {
        const i = start + k;
        return { title: `Task ${i}`, description: '', assignee: i % 3 === 0 ? `${people[i % 20]}@example.org` : people[i % 20], role: null, dueDate: day((i % 60) - 30), templateId: null, templateKey: null };
      });
      await insertTasks(tx.db, incidentId, batch, stamp);
    }
    for (let i = 0; i < ITEMS; i++) {
      await insertActionItem(tx.db, incidentId, { type: 'fix', title: `Fix ${i}`, description: '', findingId: null, owner: people[i % 20], team: null, dueDate: day((i % 60) - 30), priority: 'medium', closureCriteria: null }, stamp);
    }
  });
  console.log(`store: ${TASKS} tasks and ${ITEMS} action items over ${people.length} people, written in ${fmt(performance.now() - t0)}`);

  const measure = async (label, fn) => {
    await fn();
    const times = [];
    let size = 0;
    for (let r = 0; r < RUNS; r++) {
      const s = performance.now();
      size = await fn();
      times.push(performance.now() - s);
    }
    console.log(`  ${label}: median ${fmt(median(times))} (${size})`);
  };
  await measure('myWork(person0)', async () => {
    const w = await myWork(store, { username: 'person0', role: 'reviewer' });
    return `${w.tasks.length} tasks, ${w.actionItems.length} action items, ${w.overdue} overdue`;
  });
  await measure('tasksDueBy(today)', async () => `${(await tasksDueBy(store.db, day(0))).length} tasks`);
  await measure("listTasks(one incident)", async () => `${(await listTasks(store, incidentId)).length} tasks`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
