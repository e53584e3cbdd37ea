// Speed of notifications. Run `npm run build:server` first, then:
//   node bench/notify.mjs [events]
// Prints: what recording an event adds to a write (the same action-item write with and without
// its event, median of many), one notifier pass over N recorded events (expanding them into
// deliveries, then sending every e-mail to an SMTP server on loopback, smtp-server), and an idle pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { addUser } from '../dist/app/accounts/users.js';
import { importFiles } from '../dist/app/import.js';
import { recordNotification, runNotifications } from '../dist/app/notify/index.js';
import { addActionItem } from '../dist/app/review/action-items.js';
import { openStore } from '../dist/store/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-notify-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let received = 0;
const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], disableReverseLookup: true, logger: false, onData(stream, _s, cb) { stream.on('data', () => undefined); stream.on('end', () => { received++; cb(); }); } });
await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
const env = { HINDSIGHT_SMTP_URL: `smtp://127.0.0.1:${smtp.server.address().port}` };

const store = await openStore({ db: join(dir, 'bench.db'), auditKeyFile: join(dir, 'audit.key') });
try {
  const incidentId = (await importFiles(store, [join(root, 'examples', 'ransomware.json')], { env: {} })).results[0].id;
  await addUser(store, { username: 'ana', role: 'analyst', email: 'ana@bench.example' }, 'bench');
  await addUser(store, { username: 'rita', role: 'reviewer', email: 'rita@bench.example' }, 'bench');
  await runNotifications(store, { env: {} });

  // A write with its event (owner set) against the same write without (no owner).
  const timings = { with: [], without: [] };
  for (let i = 0; i < 200; i++) {
    for (const [key, owner] of [['with', 'ana'], ['without', null]]) {
      const t = performance.now();
      await addActionItem(store, incidentId, { type: 'fix', title: `Item ${i}`, owner }, { actor: 'rita' });
      timings[key].push(performance.now() - t);
    }
  }
  await runNotifications(store, { env: {} });
  console.log(`action-item write: ${median(timings.without).toFixed(2)} ms without an event, ${median(timings.with).toFixed(2)} ms with one (median of 200; SQLite)`);

  for (let i = 0; i < EVENTS; i++) {
    await recordNotification(store, { kind: 'task.assigned', incidentId, subjectId: `tsk_${i}`, subjectTitle: `Task ${i}`, actor: 'rita', to: ['ana'] });
  }
  const start = performance.now();
  const report = await runNotifications(store, { env });
  const seconds = (performance.now() - start) / 1000;
  console.log(`one pass over ${EVENTS} new events: ${report.sent.length} e-mails sent, ${report.failed.length} failed, ${received} received by the SMTP server, in ${seconds.toFixed(2)} s (${(report.sent.length / seconds).toFixed(0)} e-mails/s)`);
  const idle = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = await runNotifications(store, { env });
    if (r.sent.length) throw new Error('an idle pass sent something');
    idle.push(performance.now() - t);
  }
  console.log(`a pass with nothing new (reminders checked, ${EVENTS + 200} events on record): ${median(idle).toFixed(1)} ms (median of 5)`);
} finally {
  await store.close();
  await new Promise((r) => smtp.close(r));
  rmSync(dir, { recursive: true, force: true });
}
