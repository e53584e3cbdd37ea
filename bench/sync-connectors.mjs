// Speed of a connector sync. Run `npm run build:server` first, then:
//   node bench/sync-connectors.mjs [incidents=20000] [alertsPerIncident=10]
// A Microsoft Graph stand-in (token endpoint, security/incidents?$expand=alerts in pages of 50
// with @odata.nextLink, alerts_v2) runs in a child process on loopback, so its memory is not
// counted. Prints: the first full sync (incidents/s, alerts/s, peak RSS of the syncing process)
// and an incremental sync with nothing new (seconds). The machine's load shows in the wall-clock
// figures; the CPU seconds of the syncing process do not depend on it.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INCIDENTS = Number(process.argv[2] ?? 20_000);
const ALERTS = Number(process.argv[3] ?? 10);
const PAGE = 50;
const START = Date.parse('2026-10-01T00:00:00Z');

if (process.argv[4] === 'serve') serve();
else await measure();

function incident(n) {
  const id = String(100_000 + n);
  // One incident a minute: the newest few fall in the next sync's five-minute overlap.
  const updated = new Date(START + n * 60_000).toISOString();
  const alerts = [];
  for (let a = 0; a < ALERTS; a++) {
    const alertId = `da${id}_${a}`;
    alerts.push({
      '@odata.type': '#microsoft.graph.security.alert',
      id: alertId, providerAlertId: alertId, incidentId: id, status: 'new', severity: a % 3 ? 'medium' : 'high',
      classification: null, determination: null, serviceSource: 'microsoftDefenderForEndpoint', detectionSource: 'antivirus',
      detectorId: 'e0da400f-affd-43ef-b1d5-afc2eb6f2756', tenantId: 'bench', title: `Suspicious process ${a}`,
      description: 'A suspicious process was launched.', recommendedActions: 'Investigate the process tree.', category: 'Execution',
      assignedTo: null, alertWebUrl: `https://security.microsoft.com/alerts/${alertId}`, incidentWebUrl: `https://security.microsoft.com/incidents/${id}`,
      actorDisplayName: null, threatDisplayName: null, threatFamilyName: null, mitreTechniques: ['T1059.001', 'T1105'],
      createdDateTime: updated, lastUpdateDateTime: updated, resolvedDateTime: null, firstActivityDateTime: updated, lastActivityDateTime: updated,
      comments: [],
      evidence: [
        { '@odata.type': '#microsoft.graph.security.deviceEvidence', createdDateTime: updated, verdict: 'suspicious', remediationStatus: 'none', roles: [], tags: [], deviceDnsName: `ws-${n % 500}.contoso.com`, mdeDeviceId: `dev${n % 500}`, osPlatform: 'Windows11' },
        { '@odata.type': '#microsoft.graph.security.userEvidence', createdDateTime: updated, verdict: 'unknown', remediationStatus: 'none', roles: ['compromised'], tags: [], userAccount: { accountName: `user${n % 900}`, domainName: 'CONTOSO', userPrincipalName: `user${n % 900}@contoso.com`, azureAdUserId: null } },
      ],
    });
  }
  return {
    '@odata.type': '#microsoft.graph.security.incident', id, incidentWebUrl: `https://security.microsoft.com/incidents/${id}`, tenantId: 'bench',
    redirectIncidentId: null, displayName: `Multi-stage incident ${id}`, createdDateTime: updated, lastUpdateDateTime: updated, assignedTo: null,
    classification: 'unknown', determination: 'unknown', status: 'active', severity: 'medium', customTags: [], systemTags: [], description: null, summary: null, comments: [], alerts,
  };
}

function serve() {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://127.0.0.1');
      res.setHeader('content-type', 'application/json');
      if (url.pathname.endsWith('/oauth2/v2.0/token')) return res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'bench-token' }));
      const m = / ge (\S+)$/.exec(url.searchParams.get('$filter') ?? '');
      const from = m ? Date.parse(m[1]) : 0;
      if (url.pathname === '/v1.0/security/alerts_v2') return res.end(JSON.stringify({ value: [] }));
      const first = Math.max(0, Math.ceil((from - START) / 60_000));
      const skip = Number(url.searchParams.get('$skip') ?? first);
      const value = [];
      for (let n = skip; n < Math.min(INCIDENTS, skip + PAGE); n++) value.push(incident(n));
      const page = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/incidents(alerts())', value };
      if (skip + PAGE < INCIDENTS) {
        url.searchParams.set('$skip', String(skip + PAGE));
        page['@odata.nextLink'] = `http://${req.headers.host}${url.pathname}${url.search}`;
      }
      res.end(JSON.stringify(page));
    });
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

async function measure() {
  const { openStore } = await import('../dist/store/index.js');
  const { addConnector, syncConnectors } = await import('../dist/app/connectors.js');
  const child = fork(new URL(import.meta.url).pathname, [String(INCIDENTS), String(ALERTS), 'serve']);
  const port = await new Promise((resolve) => child.once('message', resolve));
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-sync-'));
  const store = await openStore({ db: process.env.BENCH_DB ?? join(dir, 'bench.db') });
  try {
    await addConnector(store, 'bench', { name: 'bench', type: 'defender', tenantId: 'bench', clientId: 'bench', secret: { kind: 'env', ref: 'BENCH_SECRET' }, graphUrl: url, loginUrl: url });
    const env = { BENCH_SECRET: 'bench-secret' };
    let t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const full = await syncConnectors(store, { since: '2026-09-30T00:00:00Z', env, actor: 'bench' });
    const fullSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const r = full.connectors[0];
    if (r.error) throw new Error(r.error);
    console.log(`store: ${store.location}`);
    console.log(`checkpoint after the first sync: ${r.checkpoint}`);
    console.log(`first full sync: ${r.fetched} incidents, ${r.fetched * ALERTS} alerts in ${fullSeconds.toFixed(1)} s: ${(r.fetched / fullSeconds).toFixed(0)} incidents/s, ${((r.fetched * ALERTS) / fullSeconds).toFixed(0)} alerts/s; peak RSS ${peakMb.toFixed(0)} MB (SQLite's page cache and memory map included); CPU of the syncing process ${cpuSeconds.toFixed(1)} s (${(r.fetched / cpuSeconds).toFixed(0)} incidents per CPU second)`);
    t0 = performance.now();
    const again = await syncConnectors(store, { env, actor: 'bench' });
    const incSeconds = (performance.now() - t0) / 1000;
    const i = again.connectors[0];
    if (i.error) throw new Error(i.error);
    console.log(`incremental sync, nothing new: ${incSeconds.toFixed(2)} s (re-read ${i.fetched} incident(s) of the 5-minute overlap, created ${i.created}, updated ${i.updated}, unchanged ${i.unchanged})`);
  } finally {
    await store.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
