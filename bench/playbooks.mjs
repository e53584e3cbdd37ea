// Speed of remediation playbooks. Run `npm run build` first, then:
//   node bench/playbooks.mjs [bundle.json.gz]
// Prints, for the ransomware example on the given ATT&CK bundle: generation, validation and
// Markdown rendering of its CACAO playbook (medians), the library (save of 200 playbooks, lookup by
// technique) on a temporary SQLite file, and the cold start of
// `hindsight playbook INCIDENT --json` end to end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { playbooksForTechniques, savePlaybook } from '../dist/app/playbooks.js';
import { loadBundle } from '../dist/attack/resolve.js';
import { parseFile } from '../dist/ingest/index.js';
import { generateRemediationPlaybook } from '../dist/playbooks/generate.js';
import { renderRunbookMarkdown } from '../dist/playbooks/runbook-markdown.js';
import { validateCacaoPlaybook } from '../dist/playbooks/validate.js';
import { openStore } from '../dist/store/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundlePath = resolve(process.argv[2] || join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz'));
const RUNS = 21;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(2)} ms`;
async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-playbooks-'));
try {
  const kb = await loadBundle(bundlePath);
  const store = await openStore({ db: join(dir, 'h.db') });
  const parsed = await parseFile(join(root, 'examples', 'ransomware.json'));
  const { results } = await store.importIncidents(parsed.incidents);
  const incident = await store.getIncident(results[0].id);
  console.log(`bundle: ${bundlePath} (ATT&CK ${kb.meta.version})`);
  console.log(`incident: ${incident.id}, ${incident.alerts.length} alerts`);

  const gen = [];
  const val = [];
  const md = [];
  let playbook;
  for (let i = 0; i < RUNS; i++) {
    const g = await timed(() => generateRemediationPlaybook(kb, { incident }, { now: '2026-03-01T00:00:00.000Z' }));
    playbook = g.value.playbook;
    gen.push(g.ms);
    val.push((await timed(() => validateCacaoPlaybook(playbook))).ms);
    md.push((await timed(() => renderRunbookMarkdown(playbook))).ms);
  }
  const steps = Object.keys(playbook.workflow).length;
  console.log(`playbook: ${steps} workflow steps, ${JSON.stringify(playbook).length} bytes of CACAO JSON`);
  console.log(`  generate  median ${fmt(median(gen))} (${RUNS} runs)`);
  console.log(`  validate  median ${fmt(median(val))}`);
  console.log(`  markdown  median ${fmt(median(md))}`);

  const N = 200;
  const techniques = kb.techniques().map((t) => t.id);
  const save = await timed(async () => {
    for (let i = 0; i < N; i++) {
      const id = `playbook--${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;
      await savePlaybook(store, 'bench', { playbook: { ...playbook, id, name: `Library playbook ${i}` }, author: 'bench', techniques: [techniques[i % techniques.length], techniques[(i * 7) % techniques.length]] });
    }
  });
  console.log(`library: save ${N} playbooks ${fmt(save.ms)} (${fmt(save.ms / N)} each)`);
  const resave = await timed(() => savePlaybook(store, 'bench', { playbook: { ...playbook, id: 'playbook--00000000-0000-4000-8000-000000000000', name: 'Library playbook 0' }, author: 'bench', techniques: [techniques[0], techniques[0]] }));
  console.log(`  unchanged re-save ${fmt(resave.ms)} (created: ${resave.value.created})`);
  const ids = [...new Set(incident.alerts.flatMap((a) => a.techniques))];
  const lookups = [];
  let found = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await timed(() => playbooksForTechniques(store, ids));
    lookups.push(r.ms);
    found = r.value.length;
  }
  console.log(`  playbooksForTechniques(${ids.length} techniques) median ${fmt(median(lookups))}, ${found} playbooks`);
  await store.close();

  const db = join(dir, 'cli.db');
  const cli = (args) => spawnSync(process.execPath, [join(root, 'bin', 'hindsight.js'), '--db', db, '--attack', bundlePath, ...args], { encoding: 'utf8', cwd: dir });
  const imported = cli(['--json', 'import', join(root, 'examples', 'ransomware.json')]);
  if (imported.status !== 0) throw new Error(imported.stderr);
  const cliTimes = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = cli(['--json', 'playbook', incident.sourceId]);
    cliTimes.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  console.log(`cli: hindsight playbook INCIDENT --json median ${fmt(median(cliTimes))} (5 runs, includes loading ATT&CK)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
