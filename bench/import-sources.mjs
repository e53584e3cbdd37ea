#!/usr/bin/env node
/**
 * Import throughput of the SOC sources: writes 100,000 OCSF Detection Findings and 100,000 Wazuh
 * alerts (NDJSON, one record a line, seeded) and imports each into a fresh SQLite store exactly as
 * `hindsight import FILE` does (app/import: parsed a batch at a time, standalone alerts grouped by
 * host and user in 1h windows, written in one transaction, review policy applied). The alerts come
 * in bursts of 10 on one host and user within an hour, so they group 10 to an incident, as the
 * Graph bench's alerts name 10 to an incident. Prints alerts per
 * second (wall clock and per CPU second) and the peak resident memory of each import, and the Graph
 * import of as many alerts (bench/generate-graph-alerts.mjs) on the same machine for comparison.
 *
 *   npm run build:server && node bench/import-sources.mjs [--count 100000] [--seed 7] [--no-graph]
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { random, writeGraphAlerts } from './generate-graph-alerts.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const count = Number(arg('--count', '100000'));
const seed = Number(arg('--seed', '7'));

const { importFiles } = await import('../dist/app/import.js');
const { openStore } = await import('../dist/store/index.js');

const START = Date.parse('2026-03-01T00:00:00Z');
/** Alerts come in bursts of about this many on one host and user within an hour (as the Graph bench has 10 alerts to an incident). */
const PER_BURST = 10;
/** The burst of alert i: its host, its user and the hour it falls in. */
const burst = (i) => {
  const g = Math.floor(i / PER_BURST);
  return { host: g % 4000, user: g % 6000, hour: START + g * 3_600_000, minute: (i % PER_BURST) * 5 };
};
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

const OCSF_RULES = [
  { title: 'Encoded PowerShell launched by Office', tactic: ['TA0002', 'Execution'], technique: ['T1059', 'Command and Scripting Interpreter'], sub: ['T1059.001', 'PowerShell'] },
  { title: 'LSASS memory access', tactic: ['TA0006', 'Credential Access'], technique: ['T1003', 'OS Credential Dumping'], sub: ['T1003.001', 'LSASS Memory'] },
  { title: 'Security tool disabled', tactic: ['TA0112', 'Defense Impairment'], technique: ['T1685', 'Disable or Modify Tools'] },
  { title: 'Shadow copies deleted', tactic: ['TA0040', 'Impact'], technique: ['T1490', 'Inhibit System Recovery'] },
];

function ocsfFinding(i, rnd) {
  const b = burst(i);
  const t = b.hour + b.minute * 60_000 + Math.floor(rnd() * 60_000);
  const rule = pick(rnd, OCSF_RULES);
  const host = `WS-${String(b.host).padStart(4, '0')}`;
  const user = `user${b.user}`;
  const attack = { version: '15.1', tactic: { uid: rule.tactic[0], name: rule.tactic[1] }, technique: { uid: rule.technique[0], name: rule.technique[1] } };
  if (rule.sub) attack.sub_technique = { uid: rule.sub[0], name: rule.sub[1] };
  return {
    class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401, severity_id: 1 + Math.floor(rnd() * 5), status_id: 1, time: t,
    metadata: { version: '1.3.0', product: { name: 'Bench EDR', vendor_name: 'Hindsight' }, tenant_uid: 'bench' },
    finding_info: { uid: `bench-${seed}-${i}`, title: rule.title, created_time: t, modified_time: t + 60_000, analytic: { uid: `rule-${rule.technique[0]}`, name: rule.title, type_id: 1 }, attacks: [attack] },
    device: { hostname: host, uid: `dev-${host}`, ip: `10.${Math.floor(rnd() * 250)}.${Math.floor(rnd() * 250)}.${1 + Math.floor(rnd() * 250)}` },
    actor: { user: { name: user, domain: 'CORP' }, process: { name: 'powershell.exe', pid: 1000 + Math.floor(rnd() * 60000) } },
    evidences: [{ process: { name: 'powershell.exe', pid: 1000 + Math.floor(rnd() * 60000), cmd_line: `powershell.exe -enc ${Math.floor(rnd() * 1e9).toString(36)}` } }],
    observables: [{ name: 'device.hostname', type_id: 1, type: 'Hostname', value: host }],
  };
}

const WAZUH_RULES = [
  { id: '5763', level: 10, description: 'sshd: brute force trying to get access to the system. Authentication failed.', mitre: { id: ['T1110.001'], tactic: ['Credential Access'], technique: ['Password Guessing'] } },
  { id: '5715', level: 3, description: 'sshd: authentication success.', mitre: { id: ['T1078', 'T1021'], tactic: ['Defense Evasion', 'Persistence', 'Privilege Escalation', 'Initial Access', 'Lateral Movement'], technique: ['Valid Accounts', 'Remote Services'] } },
  { id: '5402', level: 3, description: 'Successful sudo to ROOT executed.', mitre: { id: ['T1548.003'], tactic: ['Privilege Escalation', 'Defense Evasion'], technique: ['Sudo and Sudo Caching'] } },
  { id: '550', level: 7, description: 'Integrity checksum changed.', syscheck: true },
];

function wazuhAlert(i, rnd) {
  const b = burst(i);
  // Wazuh writes local time with an offset: the UTC time shown at -03:00.
  const t = new Date(b.hour + b.minute * 60_000 + Math.floor(rnd() * 60_000) - 3 * 3_600_000);
  const rule = pick(rnd, WAZUH_RULES);
  const agent = b.host;
  const ts = `${t.toISOString().slice(0, 23)}-0300`;
  const alert = {
    timestamp: ts,
    rule: { level: rule.level, description: rule.description, id: rule.id, firedtimes: 1, mail: false, groups: ['syslog', 'sshd'], ...(rule.mitre ? { mitre: rule.mitre } : {}) },
    agent: { id: String(agent).padStart(3, '0'), name: `srv-${agent}`, ip: `172.16.${agent % 250}.${1 + (agent % 200)}` },
    manager: { name: 'wazuh-manager' },
    id: `${Math.floor(t.getTime() / 1000)}.${i}`,
    full_log: `sshd[${1000 + i}]: Failed password for user${b.user} from 203.0.113.${Math.floor(rnd() * 250)}`,
    decoder: { parent: 'sshd', name: 'sshd' },
    location: '/var/log/auth.log',
  };
  if (rule.syscheck) alert.syscheck = { path: `/etc/app/${Math.floor(rnd() * 50)}.conf`, event: 'modified', uname_after: `user${b.user}`, sha256_after: Math.floor(rnd() * 1e15).toString(16).padStart(64, '0') };
  else alert.data = { srcip: `203.0.113.${Math.floor(rnd() * 250)}`, dstuser: `user${b.user}` };
  return alert;
}

async function writeNdjson(file, make) {
  const out = createWriteStream(file);
  const rnd = random(seed);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const line = `${JSON.stringify(make(i, rnd))}\n`;
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-sources-'));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const perSecond = (n, ms) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
console.log(`machine: ${cpus().length} CPU(s), load average ${load()}, Node ${process.version}; ${count.toLocaleString('en-US')} alerts per source`);

async function run(name, file, format) {
  const store = await openStore({ db: join(dir, `${name}.db`) });
  try {
    if (global.gc) global.gc();
    peakRss = process.memoryUsage().rss;
    const t = performance.now();
    const cpu = process.cpuUsage();
    const result = await importFiles(store, [file], { format });
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const { alerts, incidents } = result.summary;
    console.log(
      `${name.padEnd(6)} ${alerts.toLocaleString('en-US')} alerts into ${incidents.toLocaleString('en-US')} incidents in ${(ms / 1000).toFixed(2)} s: ` +
        `${perSecond(alerts, ms)} alerts/s wall clock, ${perSecond(alerts, cpuMs)} per CPU second; peak RSS ${(peakRss / 1e6).toFixed(0)} MB; load ${load()}`,
    );
  } finally {
    await store.close();
  }
}

try {
  const files = { ocsf: join(dir, 'ocsf.ndjson'), wazuh: join(dir, 'wazuh.ndjson'), graph: join(dir, 'graph.ndjson') };
  const sizes = { ocsf: await writeNdjson(files.ocsf, ocsfFinding), wazuh: await writeNdjson(files.wazuh, wazuhAlert) };
  console.log(`generated: OCSF ${(sizes.ocsf / 1e6).toFixed(1)} MB, Wazuh ${(sizes.wazuh / 1e6).toFixed(1)} MB`);
  await run('ocsf', files.ocsf, 'auto');
  await run('wazuh', files.wazuh, 'auto');
  if (!args.includes('--no-graph')) {
    await writeGraphAlerts(files.graph, { count, seed, perIncident: 10 });
    await run('graph', files.graph, 'graph');
  }
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
