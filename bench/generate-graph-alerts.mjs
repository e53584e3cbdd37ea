#!/usr/bin/env node
/**
 * Writes Microsoft Graph security alerts (alerts_v2 shape: `#microsoft.graph.security.alert` with
 * `evidence` of userEvidence, deviceEvidence, ipEvidence, fileEvidence and processEvidence) as NDJSON,
 * one alert per line. Seeded: the same seed and count always give the same file.
 *
 *   node bench/generate-graph-alerts.mjs [--count 100000] [--seed 42] [--per-incident 10] [-o alerts.ndjson]
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

/** Deterministic PRNG (mulberry32); the other bench generators use it too. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TENANT = 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c';
const DETECTIONS = [
  { title: 'Suspicious PowerShell command line', category: 'Execution', techniques: ['T1059.001', 'T1105', 'T1027'] },
  { title: 'Possible credential theft activity', category: 'CredentialAccess', techniques: ['T1003.001', 'T1555'] },
  { title: 'Suspicious inbox manipulation rule', category: 'Persistence', techniques: ['T1564.008', 'T1114.003'] },
  { title: 'Ransomware behavior detected in the file system', category: 'Impact', techniques: ['T1486', 'T1490', 'T1489'] },
  { title: 'Anomalous scheduled task created', category: 'Persistence', techniques: ['T1053.005'] },
  { title: 'Connection to a known command and control server', category: 'CommandAndControl', techniques: ['T1071.001', 'T1573'] },
  { title: 'Phishing email delivered with a malicious attachment', category: 'InitialAccess', techniques: ['T1566.001', 'T1204.002'] },
  { title: 'Lateral movement using remote services', category: 'LateralMovement', techniques: ['T1021.002', 'T1570'] },
];
const SERVICES = [
  ['microsoftDefenderForEndpoint', 'Microsoft Defender for Endpoint', 'antivirus'],
  ['microsoftDefenderForOffice365', 'Microsoft Defender for Office 365', 'microsoftDefenderForOffice365'],
  ['microsoftDefenderForIdentity', 'Microsoft Defender for Identity', 'microsoftDefenderForIdentity'],
  ['microsoftDefenderForCloudApps', 'Microsoft Defender for Cloud Apps', 'microsoftDefenderForCloudApps'],
];
const SEVERITIES = ['low', 'medium', 'medium', 'high', 'high', 'informational'];
const STATUSES = ['new', 'new', 'inProgress', 'resolved'];
const VERDICTS = ['unknown', 'suspicious', 'malicious', 'noThreatsFound'];
const REMEDIATION = ['none', 'remediated', 'prevented', 'blocked', 'notFound'];
const USERS = ['jdoe', 'asmith', 'mlopez', 'kchen', 'svc-backup', 'pnovak', 'rgupta', 'lmartin'];
const HOSTS = ['ws-fin-042', 'ws-hr-007', 'srv-sql-01', 'ws-eng-113', 'srv-file-02', 'ws-exec-001'];
const FILES = ['invoice_0425.docm', 'update.ps1', 'svchost32.exe', 'payload.dll', 'rclone.exe', 'mimikatz.exe'];

function hex(rand, length) {
  let s = '';
  while (s.length < length) s += Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, length);
}

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function iso(ms) {
  return new Date(ms).toISOString();
}

function userAccount(user) {
  return {
    accountName: user,
    domainName: 'CONTOSO',
    userSid: `S-1-5-21-1782978453-1694116212-${1000 + user.length}`,
    azureAdUserId: `${user.length}e1f7c6a-1c2d-4e5f-8a9b-${user.padEnd(12, '0').slice(0, 12).replace(/[^0-9a-f]/g, 'a')}`,
    userPrincipalName: `${user}@contoso.com`,
    displayName: user,
  };
}

function common(rand, type, at, roles) {
  return {
    '@odata.type': `#microsoft.graph.security.${type}`,
    createdDateTime: at,
    verdict: pick(rand, VERDICTS),
    remediationStatus: pick(rand, REMEDIATION),
    remediationStatusDetails: null,
    roles,
    detailedRoles: [],
    tags: [],
  };
}

function fileDetails(rand, name) {
  return {
    sha1: null,
    sha256: hex(rand, 64),
    fileName: name,
    filePath: `C:\\Users\\Public\\Downloads`,
    fileSize: 1024 + Math.floor(rand() * 4_000_000),
    filePublisher: null,
    signer: null,
    issuer: null,
  };
}

function evidence(rand, kind, at, deviceId, host, user) {
  switch (kind) {
    case 'user':
      return { ...common(rand, 'userEvidence', at, ['compromised']), userAccount: userAccount(user) };
    case 'device':
      return {
        ...common(rand, 'deviceEvidence', at, []),
        firstSeenDateTime: '2025-11-02T08:14:00Z',
        mdeDeviceId: deviceId,
        azureAdDeviceId: null,
        deviceDnsName: `${host}.contoso.com`,
        hostName: host,
        osPlatform: 'Windows11',
        osBuild: 22631,
        version: '23H2',
        healthStatus: 'active',
        riskScore: pick(rand, ['low', 'medium', 'high']),
        onboardingStatus: 'onboarded',
        loggedOnUsers: [{ accountName: user, domainName: 'CONTOSO' }],
        ipInterfaces: [`10.1.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`],
        vmMetadata: null,
      };
    case 'ip':
      return {
        ...common(rand, 'ipEvidence', at, ['attacker']),
        ipAddress: `203.0.113.${Math.floor(rand() * 255)}`,
        countryLetterCode: pick(rand, ['NL', 'US', 'RU', 'BR']),
      };
    case 'file':
      return { ...common(rand, 'fileEvidence', at, []), fileDetails: fileDetails(rand, pick(rand, FILES)), detectionStatus: 'detected', mdeDeviceId: deviceId };
    default:
      return {
        ...common(rand, 'processEvidence', at, []),
        processId: 1000 + Math.floor(rand() * 60000),
        parentProcessId: 500 + Math.floor(rand() * 5000),
        processCommandLine: `powershell.exe -NoProfile -EncodedCommand ${hex(rand, 48)}`,
        processCreationDateTime: at,
        parentProcessCreationDateTime: at,
        detectionStatus: 'detected',
        mdeDeviceId: deviceId,
        imageFile: { fileName: 'powershell.exe', filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', sha256: hex(rand, 64) },
        parentProcessImageFile: { fileName: 'winword.exe', filePath: 'C:\\Program Files\\Microsoft Office\\root\\Office16' },
        userAccount: { accountName: user, domainName: 'CONTOSO', userPrincipalName: `${user}@contoso.com` },
      };
  }
}

const EVIDENCE_KINDS = ['user', 'device', 'ip', 'file', 'user', 'ip', 'process'];

/** Yields `count` Graph alerts, about `perIncident` per incident. */
export function* generateGraphAlerts({ count = 100_000, seed = 42, perIncident = 10 } = {}) {
  const rand = random(seed);
  const start = Date.parse('2026-01-01T00:00:00Z');
  let incident = 100000;
  let incidentTime = start;
  for (let i = 0; i < count; i++) {
    if (i % perIncident === 0) {
      incident++;
      incidentTime += Math.floor(rand() * 3_600_000);
    }
    const detection = pick(rand, DETECTIONS);
    const [serviceSource, productName, detectionSource] = pick(rand, SERVICES);
    const created = incidentTime + Math.floor(rand() * 7_200_000);
    const host = pick(rand, HOSTS);
    const user = pick(rand, USERS);
    const deviceId = hex(rand, 40);
    const status = pick(rand, STATUSES);
    const techniques = detection.techniques.slice(0, 1 + Math.floor(rand() * detection.techniques.length));
    const evidenceCount = 2 + (rand() < 0.55 ? 0 : rand() < 0.6 ? 1 : 2);
    const at = iso(created);
    const id = `da${hex(rand, 18)}_${Math.floor(rand() * 2 ** 31)}`;
    yield {
      '@odata.type': '#microsoft.graph.security.alert',
      id,
      providerAlertId: id.slice(2),
      incidentId: String(incident),
      status,
      severity: pick(rand, SEVERITIES),
      classification: status === 'resolved' ? 'truePositive' : null,
      determination: status === 'resolved' ? 'malware' : null,
      serviceSource,
      detectionSource,
      productName,
      detectorId: `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`,
      tenantId: TENANT,
      title: detection.title,
      description: `${detection.title} on ${host}.`,
      recommendedActions: rand() < 0.5 ? null : 'Isolate the device and reset the user credentials.',
      category: detection.category,
      assignedTo: status === 'new' ? null : 'soc-tier2@contoso.com',
      alertWebUrl: `https://security.microsoft.com/alerts/${id}`,
      incidentWebUrl: `https://security.microsoft.com/incidents/${incident}`,
      actorDisplayName: null,
      threatDisplayName: null,
      threatFamilyName: null,
      mitreTechniques: techniques,
      createdDateTime: at,
      lastUpdateDateTime: iso(created + 600_000),
      resolvedDateTime: status === 'resolved' ? iso(created + 600_000) : null,
      firstActivityDateTime: iso(created - 300_000),
      lastActivityDateTime: iso(created - 60_000),
      comments: [],
      evidence: Array.from({ length: evidenceCount }, (_, k) => evidence(rand, EVIDENCE_KINDS[(k + i) % EVIDENCE_KINDS.length], at, deviceId, host, user)),
      systemTags: [],
      additionalData: {},
    };
  }
}

/** Writes the alerts as NDJSON to `file`; resolves to the number of bytes written. */
export async function writeGraphAlerts(file, options = {}) {
  const out = createWriteStream(file);
  let bytes = 0;
  let lines = [];
  for (const alert of generateGraphAlerts(options)) {
    const line = `${JSON.stringify(alert)}\n`;
    bytes += Buffer.byteLength(line);
    lines.push(line);
    if (lines.length === 1000) {
      if (!out.write(lines.join(''))) await once(out, 'drain');
      lines = [];
    }
  }
  out.write(lines.join(''));
  out.end();
  await once(out, 'finish');
  return bytes;
}

function argValue(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const count = Number(argValue(args, '--count', '100000'));
  const seed = Number(argValue(args, '--seed', '42'));
  const perIncident = Number(argValue(args, '--per-incident', '10'));
  const file = argValue(args, '-o', 'graph-alerts.ndjson');
  const bytes = await writeGraphAlerts(file, { count, seed, perIncident });
  console.log(`wrote ${count} alerts (${(bytes / 1e6).toFixed(1)} MB, ${Math.round(bytes / count)} bytes/alert) to ${file}`);
}
