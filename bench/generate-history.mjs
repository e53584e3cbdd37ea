#!/usr/bin/env node
/**
 * Writes a realistic year of a large organisation's incidents and alerts straight into a Hindsight
 * store (SQLite file or PostgreSQL), through the store's own migrations and multi-row bulk inserts:
 * incidents, alerts, alert_techniques, status_changes (assignment, triage, classification,
 * resolution, reopenings, reassignments, severity raises), plus review findings and action items for
 * a share of incidents. Seeded: the same options always give the same history.
 *
 * Realism: seasonality (quieter summer and year end), weekly and diurnal patterns (weekday office
 * hours busiest), severities, several Microsoft Defender products, 4 teams of analysts, triage and
 * resolution times log-normal by severity, and a configurable weak spot: a technique family whose
 * alerts are triaged `--weak-factor` times slower and first closed as false positives 25% of the
 * time, then reopened and reclassified as true positives.
 *
 *   npm run build && node bench/generate-history.mjs --db history.db [--incidents 50000]
 *     [--alerts-per-incident 20] [--weak-spot T1566] [--weak-factor 3] [--seed 7] [--year 2025]
 */
import { pathToFileURL } from 'node:url';
import { random } from './generate-graph-alerts.mjs';

/** Scenarios: technique sets that occur together, with the product that usually raises them. */
const SCENARIOS = [
  { weight: 10, title: 'Phishing email delivered with a malicious attachment', techniques: ['T1566.001', 'T1204.002', 'T1566'], product: 'Microsoft Defender for Office 365' },
  { weight: 6, title: 'Credential phishing link clicked', techniques: ['T1566.002', 'T1078', 'T1566.003'], product: 'Microsoft Defender for Office 365' },
  { weight: 12, title: 'Suspicious PowerShell command line', techniques: ['T1059.001', 'T1105', 'T1027'], product: 'Microsoft Defender for Endpoint' },
  { weight: 8, title: 'Possible credential theft activity', techniques: ['T1003.001', 'T1555', 'T1558.003'], product: 'Microsoft Defender for Identity' },
  { weight: 7, title: 'Suspicious inbox manipulation rule', techniques: ['T1564.008', 'T1114.003'], product: 'Microsoft Defender for Cloud Apps' },
  { weight: 3, title: 'Ransomware behavior detected in the file system', techniques: ['T1486', 'T1490', 'T1489'], product: 'Microsoft Defender for Endpoint' },
  { weight: 8, title: 'Anomalous scheduled task created', techniques: ['T1053.005', 'T1547.001'], product: 'Microsoft Defender for Endpoint' },
  { weight: 8, title: 'Connection to a known command and control server', techniques: ['T1071.001', 'T1573', 'T1090'], product: 'Microsoft Defender for Endpoint' },
  { weight: 6, title: 'Lateral movement using remote services', techniques: ['T1021.002', 'T1570', 'T1021.001'], product: 'Microsoft Defender for Identity' },
  { weight: 9, title: 'Unfamiliar sign-in properties', techniques: ['T1078.004', 'T1110.003'], product: 'Microsoft Entra ID Protection' },
  { weight: 5, title: 'Mass download by a single user', techniques: ['T1530', 'T1567.002'], product: 'Microsoft Defender for Cloud Apps' },
  { weight: 6, title: 'Suspicious process discovery', techniques: ['T1057', 'T1082', 'T1016'], product: 'Microsoft Defender for Endpoint' },
  { weight: 4, title: 'Defense evasion: security tool tampering', techniques: ['T1562.001', 'T1070.001'], product: 'Microsoft Defender for Endpoint' },
  { weight: 4, title: 'Suspicious Azure resource activity', techniques: ['T1098', 'T1136.003'], product: 'Microsoft Sentinel' },
];
const SEVERITIES = [['informational', 0.1], ['low', 0.3], ['medium', 0.35], ['high', 0.2], ['critical', 0.05]];
/** Median seconds to triage by severity (before any weak-spot factor). */
const TRIAGE_MEDIAN = { informational: 6 * 3600, low: 3 * 3600, medium: 90 * 60, high: 30 * 60, critical: 10 * 60 };
const TEAMS = [['tier1', 16], ['tier2', 10], ['ir', 6], ['cloud', 6]];
const DETERMINATIONS_TP = ['malware', 'phishing', 'compromisedAccount', 'multiStagedAttack', 'maliciousUserActivity'];
const DETERMINATIONS_BENIGN = ['notMalicious', 'securityTesting', 'confirmedUserActivity', 'lineOfBusinessApplication'];

export function analysts() {
  return TEAMS.flatMap(([team, n]) => Array.from({ length: n }, (_, i) => `${team}-analyst${String(i + 1).padStart(2, '0')}@contoso.com`));
}

/** The team mapping YAML matching the generated analysts. */
export function teamMappingYaml() {
  return `teams:\n${TEAMS.map(([team]) => `  ${team}:\n    - "${team}-*@contoso.com"`).join('\n')}\n`;
}

const hex = (rand, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
};

/**
 * Generates the history into an open connection (`connect()` from dist/store/connect.js).
 * Returns counts of what was written.
 */
export async function generateHistory(connection, options = {}) {
  const { BulkInserter } = await import('../dist/store/bulk.js');
  const incidents = options.incidents ?? 50_000;
  const perIncident = options.alertsPerIncident ?? 20;
  const weakFamily = (options.weakSpot ?? 'T1566').toUpperCase();
  const weakFactor = options.weakFactor ?? 3;
  const year = options.year ?? 2025;
  const rand = random(options.seed ?? 7);
  const yearStart = Date.UTC(year, 0, 1);
  const yearMs = Date.UTC(year + 1, 0, 1) - yearStart;
  const now = yearStart + yearMs;
  const people = analysts();
  const byTeam = Object.fromEntries(TEAMS.map(([team]) => [team, people.filter((p) => p.startsWith(`${team}-`))]));
  const scenarioWeights = SCENARIOS.reduce((s, x) => s + x.weight, 0);
  const counts = { incidents: 0, alerts: 0, techniques: 0, statusChanges: 0, findings: 0, actionItems: 0 };
  const iso = (ms) => new Date(ms).toISOString();
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const logNormal = (median, sigma) => median * Math.exp(sigma * normal());
  const severity = () => {
    let r = rand();
    for (const [s, p] of SEVERITIES) if ((r -= p) < 0) return s;
    return 'medium';
  };
  // Rejection sampling of a creation time with annual, weekly and diurnal patterns.
  const createdAt = () => {
    for (;;) {
      const t = yearStart + rand() * yearMs;
      const d = new Date(t);
      const dayOfYear = (t - yearStart) / 86_400_000;
      const annual = 0.8 + 0.2 * Math.cos(((dayOfYear - 60) / 365) * 2 * Math.PI) - (d.getUTCMonth() === 11 && d.getUTCDate() > 20 ? 0.3 : 0);
      const weekday = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.45 : 1;
      const hour = d.getUTCHours();
      const diurnal = hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 21 ? 0.6 : 0.3;
      if (rand() < annual * weekday * diurnal) return t;
    }
  };

  const bulk = new BulkInserter(connection.kind, connection.sqlite);
  const cols = {
    incidents: ['id', 'source', 'source_id', 'source_format', 'tenant_id', 'title', 'description', 'summary', 'severity', 'status', 'classification', 'determination', 'assigned_to', 'created_at', 'updated_at', 'resolved_at', 'tags', 'web_url', 'redirect_incident_id', 'partial', 'raw', 'content_hash', 'imported_at'],
    alerts: ['id', 'incident_id', 'source', 'source_id', 'title', 'severity', 'status', 'classification', 'determination', 'category', 'service_source', 'detection_source', 'product_name', 'assigned_to', 'created_at', 'updated_at', 'first_activity_at', 'resolved_at', 'techniques', 'content_hash'],
    alert_techniques: ['alert_id', 'incident_id', 'technique_id'],
    status_changes: ['incident_id', 'alert_id', 'ord', 'field', 'from_value', 'to_value', 'at', 'by', 'origin'],
    review_findings: ['id', 'incident_id', 'category', 'title', 'description', 'severity', 'contributing_factors', 'timeline_event_ids', 'techniques', 'evidence', 'version', 'created_by', 'created_at', 'updated_by', 'updated_at'],
    review_action_items: ['id', 'incident_id', 'finding_id', 'type', 'title', 'description', 'owner', 'due_date', 'priority', 'status', 'verified_at', 'version', 'created_by', 'created_at', 'updated_by', 'updated_at'],
  };
  const buffers = Object.fromEntries(Object.keys(cols).map((t) => [t, []]));
  let buffered = 0;
  const flush = async (db) => {
    for (const table of Object.keys(cols)) {
      await bulk.insert(db, table, cols[table], buffers[table]);
      buffers[table] = [];
    }
    buffered = 0;
  };
  const push = (table, row) => {
    buffers[table].push(row);
    buffered++;
  };

  await connection.db.transaction().execute(async (trx) => {
    for (let n = 0; n < incidents; n++) {
      const incidentNo = 100_000 + n;
      // Sequential ids keep the B-tree inserts in order (the store's own ids are hashes; any unique text works).
      const incidentId = `inc_${n.toString(16).padStart(12, '0')}`;
      let w = rand() * scenarioWeights;
      let scenario = SCENARIOS[0];
      for (const s of SCENARIOS) if ((w -= s.weight) < 0) { scenario = s; break; }
      const sev = severity();
      const start = createdAt();
      const alertCount = Math.max(1, Math.round(perIncident * (0.25 + 1.5 * rand())));
      const team = scenario.product === 'Microsoft Sentinel' || scenario.product === 'Microsoft Defender for Cloud Apps' ? 'cloud' : sev === 'critical' ? 'ir' : rand() < 0.7 ? 'tier1' : 'tier2';
      const owner = pick(byTeam[team]);
      let incidentResolved = 0;
      let anyOpen = false;
      let anyTp = false;
      for (let a = 0; a < alertCount; a++) {
        const alertId = `al_${counts.alerts.toString(16).padStart(16, '0')}`;
        const created = start + Math.floor(rand() * 3_600_000 * (a === 0 ? 0 : 6));
        const technique = pick(scenario.techniques);
        const second = rand() < 0.2 ? pick(scenario.techniques) : null;
        const techniques = second && second !== technique ? [technique, second] : [technique];
        const weak = techniques.some((t) => t === weakFamily || t.startsWith(`${weakFamily}.`));
        const analyst = rand() < 0.85 ? owner : pick(byTeam[team]);
        const triage = Math.max(5, logNormal(TRIAGE_MEDIAN[sev] * (weak ? weakFactor : 1), 0.9));
        const work = Math.max(60, logNormal(4 * 3600, 1.0));
        const triagedAt = created + triage * 1000;
        let resolvedAt = triagedAt + work * 1000;
        const tp = rand() < 0.35;
        const misclassified = tp && rand() < (weak ? 0.25 : 0.03) ? true : !tp && rand() < 0.01;
        const changes = [];
        let ord = 0;
        const change = (field, from, to, at, by) => changes.push([incidentId, alertId, ord++, field, from, to, iso(at), by, 'source']);
        change('assignedTo', null, analyst, triagedAt, null);
        change('status', 'new', 'inProgress', triagedAt, analyst);
        let assignee = analyst;
        if (rand() < (sev === 'high' || sev === 'critical' ? 0.08 : 0.03)) {
          assignee = pick(team === 'tier1' ? byTeam.tier2 : byTeam.ir);
          change('assignedTo', analyst, assignee, triagedAt + (work * 1000) / 3, analyst);
        }
        let classification = tp ? 'truePositive' : rand() < 0.6 ? 'falsePositive' : 'informationalExpectedActivity';
        let status = 'resolved';
        if (resolvedAt > now) {
          status = 'inProgress';
          classification = null;
          resolvedAt = null;
          anyOpen = true;
        } else if (misclassified && tp) {
          const first = rand() < 0.8 ? 'falsePositive' : 'informationalExpectedActivity';
          change('classification', null, first, resolvedAt, assignee);
          change('status', 'inProgress', 'resolved', resolvedAt, assignee);
          const reopened = resolvedAt + logNormal(2 * 86_400_000, 0.6);
          resolvedAt = Math.min(now - 1000, reopened + work * 1000);
          change('status', 'resolved', 'inProgress', Math.min(reopened, resolvedAt), assignee);
          change('classification', first, 'truePositive', resolvedAt, assignee);
          change('status', 'inProgress', 'resolved', resolvedAt, assignee);
        } else if (misclassified) {
          change('classification', null, 'truePositive', resolvedAt, assignee);
          change('classification', 'truePositive', classification, resolvedAt + 3_600_000, assignee);
          change('status', 'inProgress', 'resolved', resolvedAt, assignee);
        } else {
          change('classification', null, classification, resolvedAt, assignee);
          change('status', 'inProgress', 'resolved', resolvedAt, assignee);
        }
        if (classification === 'truePositive') anyTp = true;
        if (resolvedAt) incidentResolved = Math.max(incidentResolved, resolvedAt);
        const determination = classification === 'truePositive' ? pick(DETERMINATIONS_TP) : classification ? pick(DETERMINATIONS_BENIGN) : null;
        const updated = resolvedAt ?? triagedAt;
        push('alerts', [alertId, incidentId, 'microsoft-defender', `da${incidentNo}_${a}`, scenario.title, sev, status, classification, determination, 'InitialAccess', null, null, scenario.product, assignee, iso(created), iso(Math.min(updated, now)), iso(created - Math.floor(rand() * 1_800_000)), resolvedAt ? iso(resolvedAt) : null, JSON.stringify(techniques), hex(rand, 16)]);
        for (const t of techniques) push('alert_techniques', [alertId, incidentId, t]);
        for (const c of changes) push('status_changes', c);
        counts.alerts++;
        counts.techniques += techniques.length;
        counts.statusChanges += changes.length;
      }
      const resolved = !anyOpen;
      push('incidents', [incidentId, 'microsoft-defender', String(incidentNo), 'graph', 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c', `${scenario.title} involving ${alertCount} alert(s)`, null, null, sev, resolved ? 'resolved' : 'active', resolved ? (anyTp ? 'truePositive' : 'falsePositive') : null, resolved ? (anyTp ? 'multiStagedAttack' : 'notMalicious') : null, owner, iso(start), iso(resolved ? incidentResolved : start), resolved ? iso(incidentResolved) : null, '[]', null, null, 0, null, hex(rand, 16), iso(now)]);
      counts.incidents++;
      // Post-incident reviews for a share of the larger incidents: findings and their action items.
      if ((sev === 'high' || sev === 'critical') && rand() < 0.15) {
        const weakScenario = scenario.techniques.some((t) => t.startsWith(weakFamily));
        const category = weakScenario && rand() < 0.6 ? 'manual-error' : pick(['technical-lapse', 'procedural-failure', 'process-flaw', 'communication-glitch', 'unknown-attack-vector', 'manual-error']);
        const findingId = `fnd_${hex(rand, 12)}`;
        const at = iso(Math.min(now - 1000, (incidentResolved || start) + 3 * 86_400_000));
        push('review_findings', [findingId, incidentId, category, `${category} during ${scenario.title}`, 'Generated finding.', 'medium', '[]', '[]', JSON.stringify(scenario.techniques.slice(0, 2)), '[]', 1, owner, at, owner, at]);
        const due = new Date(Date.parse(at) + 30 * 86_400_000).toISOString().slice(0, 10);
        const done = rand() < 0.6;
        push('review_action_items', [`act_${hex(rand, 12)}`, incidentId, findingId, category === 'manual-error' ? 'training' : 'fix', `Follow-up on ${category}`, 'Generated action item.', owner, due, 'medium', done ? 'done' : 'open', null, 1, owner, at, owner, done ? iso(Math.min(now - 1000, Date.parse(at) + 20 * 86_400_000)) : at]);
        counts.findings++;
        counts.actionItems++;
      }
      if (buffered >= 20_000) await flush(trx);
    }
    await flush(trx);
  });
  return counts;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const arg = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  const { connect } = await import('../dist/store/connect.js');
  const connection = await connect({ db: arg('--db', 'history.db') });
  const t = performance.now();
  const counts = await generateHistory(connection, {
    incidents: Number(arg('--incidents', '50000')),
    alertsPerIncident: Number(arg('--alerts-per-incident', '20')),
    weakSpot: arg('--weak-spot', 'T1566'),
    weakFactor: Number(arg('--weak-factor', '3')),
    seed: Number(arg('--seed', '7')),
    year: Number(arg('--year', '2025')),
  });
  console.log(`generated ${JSON.stringify(counts)} into ${connection.location} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await connection.db.destroy();
}
