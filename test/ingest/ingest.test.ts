import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseFile, parseFileInBatches, parseText, parseTextInBatches } from '../../src/ingest/index.js';
import { InputError } from '../../src/model/errors.js';
import type { Entity, Incident } from '../../src/model/incident.js';
import { rejectedInput as rejection } from '../helpers/input-error.js';

const fixtures = join(__dirname, '..', 'fixtures', 'ingest');
const examples = join(__dirname, '..', '..', 'examples');
const fx = (name: string) => join(fixtures, name);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('Graph incidents', () => {
  it('reads a single incident object with alerts expanded, normalising mixed-case enums', async () => {
    const { format, incidents } = await parseFile(fx('graph-incident-single.json'));
    expect(format).toBe('graph');
    expect(incidents).toHaveLength(1);
    const inc = incidents[0]!;
    expect(inc.source).toBe('microsoft-defender');
    expect(inc.sourceFormat).toBe('graph');
    expect(inc.sourceId).toBe('2972395');
    expect(inc.partial).toBe(false);
    // The file says TruePositive / MultiStagedAttack / Resolved / Medium; the alert says truePositive.
    expect(inc.classification).toBe('truePositive');
    expect(inc.determination).toBe('multiStagedAttack');
    expect(inc.status).toBe('resolved');
    expect(inc.severity).toBe('medium');
    expect(inc.alerts[0]!.classification).toBe('truePositive');
    expect(inc.createdAt).toBe('2021-08-13T08:43:35.553Z');
    expect(inc.tags).toEqual(['Demo', 'Defender Experts']);
    expect(inc.comments.map((c) => c.author)).toEqual(['DavidS@contoso.onmicrosoft.com', 'KaiC@contoso.onmicrosoft.com']);
    // Resolved at the last alert resolution (within the incident's lifetime).
    expect(inc.resolvedAt).toBe('2021-09-30T09:00:00.000Z');
    const history = inc.statusHistory.map((h) => `${h.field}:${h.to}@${h.at}`);
    expect(history).toContain('status:active@2021-08-13T08:43:35.553Z');
    expect(history).toContain('status:resolved@2021-09-30T09:00:00.000Z');
    // Assigned at the assignee's first comment.
    expect(history).toContain('assignedTo:KaiC@contoso.onmicrosoft.com@2021-09-29T10:00:00.000Z');
    expect(inc.statusHistory.every((h) => h.origin === 'source')).toBe(true);
    expect((inc.raw as { id: string }).id).toBe('2972395');
  });

  it('reads an array of incidents without alerts and keeps unknown enum values', async () => {
    const { incidents } = await parseFile(fx('graph-incidents-array.json'));
    expect(incidents.map((i) => i.sourceId)).toEqual(['100', '101']);
    const [unknown, plain] = incidents as [Incident, Incident];
    expect(unknown.severity).toBe('spicy');
    expect(unknown.determination).toBe('somethingNew');
    expect(unknown.status).toBe('awaitingAction');
    expect(unknown.classification).toBe('truePositive');
    expect(unknown.updatedAt).toBe(unknown.createdAt); // lastUpdateDateTime missing
    expect(plain.tags).toEqual(['a', 'b']);
    expect(plain.alerts).toEqual([]);
  });
});

describe('standalone alerts', () => {
  it('groups a page of alerts (with nextLink) into partial incidents by incidentId', async () => {
    const { format, incidents } = await parseFile(fx('graph-alerts-page.json'));
    expect(format).toBe('graph');
    expect(incidents.map((i) => i.sourceId)).toEqual(['28282', 'alert:da637551227677560813_-961444815']);
    const grouped = incidents[0]!;
    expect(grouped.partial).toBe(true);
    expect(grouped.alerts).toHaveLength(2);
    expect(grouped.title).toBe('Earlier alert'); // the earliest alert's title
    expect(grouped.severity).toBe('high'); // highest (given as "High")
    expect(grouped.status).toBe('inProgress');
    expect(grouped.createdAt).toBe('2021-04-27T10:00:00.000Z');
    expect(grouped.updatedAt).toBe('2021-05-02T14:19:01.326Z');
    const lone = incidents[1]!;
    expect(lone.status).toBe('resolved');
    expect(lone.alerts[0]!.status).toBe('resolved');
    expect(lone.alerts[0]!.statusHistory.map((h) => h.to)).toEqual(['new', 'resolved']);
  });

  it('reads NDJSON with blank lines', async () => {
    const { incidents } = await parseFile(fx('graph-alerts.ndjson'));
    expect(incidents.map((i) => [i.sourceId, i.alerts.length])).toEqual([
      ['28282', 2],
      ['28283', 1],
    ]);
  });

  it('parses a large file in batches: NDJSON lines are read as batches are taken, a bad line fails its batch', async () => {
    const line = (id: string, incident: string, minute: number) =>
      JSON.stringify({ '@odata.type': '#microsoft.graph.security.alert', id, incidentId: incident, title: `Alert ${id}`, createdDateTime: `2024-01-01T00:0${minute}:00Z` });
    const lines = [line('a1', '1', 1), line('a2', '1', 2), '', line('a3', '2', 3), line('a4', '2', 4), line('a5', '3', 5)];
    const text = lines.join('\n');
    const batches = await collect(parseTextInBatches(text, { file: 'alerts.ndjson' }, 2));
    expect(batches.map((b) => b.format)).toEqual(['graph', 'graph', 'graph']);
    expect(batches.map((b) => b.incidents.map((i) => `${i.sourceId}:${i.alerts.map((a) => a.sourceId).join('+')}`))).toEqual([['1:a1+a2'], ['2:a3+a4'], ['3:a5']]);
    const whole = await parseText(text, { file: 'alerts.ndjson' });
    expect(batches.flatMap((b) => b.incidents.flatMap((i) => i.alerts))).toEqual(whole.incidents.flatMap((i) => i.alerts));

    const broken = [...lines.slice(0, 4), '{"id": "a4", "createdDateTime": ', line('a5', '3', 5)].join('\n');
    const iterator = parseTextInBatches(broken, { file: 'alerts.ndjson' }, 2);
    const firstBatch = await iterator.next();
    expect(firstBatch.done ? [] : firstBatch.value.incidents.map((i) => i.sourceId)).toEqual(['1']);
    const error: unknown = await iterator.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toMatchObject({ file: 'alerts.ndjson', line: 5 });

    // A whole JSON document is batched by record; an empty page still tells its format.
    const page = JSON.stringify({ value: [JSON.parse(line('p1', '9', 1)), JSON.parse(line('p2', '9', 2)), JSON.parse(line('p3', '8', 3))] });
    expect((await collect(parseTextInBatches(page, { file: 'page.json' }, 2))).map((b) => b.incidents.length)).toEqual([1, 1]);
    const empty = await collect(parseTextInBatches('{"@odata.context": "https://api.security.microsoft.com/api/$metadata#Incidents", "value": []}', { file: 'empty.json' }));
    expect(empty).toEqual([{ format: 'm365d', incidents: [], alertsSoFar: 0 }]);
  });

  it('reads an NDJSON file from disk line by line, and any other file whole, with the same result as parseFile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-ingest-'));
    const collect = async (path: string, batch: number) => {
      const out: Incident[][] = [];
      for await (const b of parseFileInBatches(path, 'auto', batch)) out.push(b.incidents);
      return out;
    };
    try {
      const line = (id: string, incident: string) =>
        JSON.stringify({ '@odata.type': '#microsoft.graph.security.alert', id, incidentId: incident, title: `Alert ${id}`, createdDateTime: '2024-01-01T00:01:00Z' });
      const ndjson = join(dir, 'alerts.ndjson');
      writeFileSync(ndjson, `\uFEFF${line('a1', '1')}\r\n\r\n${line('a2', '1')}\r\n${line('a3', '2')}\r\n`);
      const batches = await collect(ndjson, 2);
      expect(batches.map((b) => b.map((i) => `${i.sourceId}:${i.alerts.length}`))).toEqual([['1:2'], ['2:1']]);
      expect(batches.flat().flatMap((i) => i.alerts)).toEqual((await parseFile(ndjson)).incidents.flatMap((i) => i.alerts));

      const broken = join(dir, 'broken.ndjson');
      writeFileSync(broken, `${line('a1', '1')}\n${line('a2', '1')}\n{"id": "a3",\n`);
      const error = await collect(broken, 1).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).location).toMatchObject({ file: broken, line: 3 });

      // One JSON document over several lines is not NDJSON: read whole.
      const page = fx('graph-alerts-page.json');
      expect((await collect(page, 5000)).flat()).toEqual((await parseFile(page)).incidents);
      const missing = await collect(join(dir, 'nope.json'), 10).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((missing as InputError).message).toMatch(/file not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds standalone alerts to an incident of the same file', async () => {
    const text = JSON.stringify([
      { id: '7', displayName: 'Seven', createdDateTime: '2024-01-01T00:00:00Z' },
      { '@odata.type': '#microsoft.graph.security.alert', id: 'a1', incidentId: '7', title: 'A', createdDateTime: '2024-01-01T00:01:00Z' },
    ]);
    const { incidents } = await parseText(text, { file: 'mem.json' });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.partial).toBe(false);
    expect(incidents[0]!.alerts.map((a) => a.sourceId)).toEqual(['a1']);
  });
});

describe('evidence', () => {
  const byType = async (): Promise<Map<string, Entity>> => {
    const { incidents } = await parseFile(fx('graph-evidence-all.json'));
    const evidence = incidents[0]!.alerts[0]!.evidence;
    return new Map(evidence.map((e) => [e.sourceType.replace('#microsoft.graph.security.', ''), e]));
  };

  it('maps every evidence subtype to its kind and a stable key', async () => {
    const e = await byType();
    const got = (t: string) => {
      const entity = e.get(t);
      if (!entity) throw new Error(`no ${t}`);
      return [entity.kind, entity.key];
    };
    expect(got('userEvidence')).toEqual(['user', 'jdoe@contoso.com']);
    expect(got('deviceEvidence')).toEqual(['device', '73e7e2de709dff64ef64b1d0c30e67fab63279db']);
    expect(got('mailboxEvidence')).toEqual(['mailbox', 'jdoe@contoso.com']);
    expect(got('analyzedMessageEvidence')).toEqual(['mailMessage', '<am0pr1@mail.fabrikam.example>']);
    expect(got('mailClusterEvidence')).toEqual(['mailCluster', 'urn:mailclusterentity:xyz']);
    expect(got('ipEvidence')).toEqual(['ip', '203.0.113.7']);
    expect(got('urlEvidence')).toEqual(['url', 'https://fabrikam-invoices.example/login']);
    expect(got('fileEvidence')).toEqual(['file', '8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec']);
    expect(got('processEvidence')[0]).toBe('process');
    expect(got('processEvidence')[1]).toContain('|4780|8963a19f');
    expect(got('registryKeyEvidence')).toEqual(['registryKey', 'hkey_local_machine\\software\\microsoft\\windows\\currentversion\\run']);
    expect(got('registryValueEvidence')).toEqual(['registryValue', 'hkey_local_machine\\software\\microsoft\\windows\\currentversion\\run\\updater']);
    expect(got('cloudApplicationEvidence')).toEqual(['cloudApplication', '20893']);
    expect(got('oauthApplicationEvidence')).toEqual(['oauthApplication', 'e1a2b3c4-0000-4000-8000-000000000009']);
    expect(got('securityGroupEvidence')).toEqual(['securityGroup', '301c47c8-e15f-4059-ab09-e2ba9ffd372b']);
    expect(got('cloudLogonSessionEvidence')).toEqual(['cloudLogonSession', '177997dc-5cba-435a-abdd-2bab21926d00']);
    expect(got('dnsEvidence')).toEqual(['dns', 'fabrikam-invoices.example']);
    expect(got('malwareEvidence')).toEqual(['malware', 'hacktool:win32/mimikatz']);
    expect(got('networkConnectionEvidence')).toEqual(['networkConnection', '192.0.2.10:49732 -> 203.0.113.7:443/tcp']);
    expect(got('azureResourceEvidence')[0]).toBe('azureResource');
    expect(got('mailboxConfigurationEvidence')).toEqual(['mailboxConfiguration', 'rule-4471']);
    expect(got('fileHashEvidence')).toEqual(['file', 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567']);
    expect(got('kubernetesPodEvidence')).toEqual(['other', 'kubernetespodevidence:web-7d9f']);
  });

  it('keeps an unknown evidence type as other, keyed by type and hash, raw intact', async () => {
    const unknown = (await byType()).get('quantumFluxEvidence')!;
    expect(unknown.kind).toBe('other');
    expect(unknown.key).toMatch(/^#microsoft\.graph\.security\.quantumFluxEvidence:[0-9a-f]{16}$/);
    expect((unknown.raw as { flux: { level: number } }).flux.level).toBe(11);
    expect(unknown.attributes['flux.level']).toBe(11);
  });

  it('fills roles, verdict, remediation, time and flattened attributes', async () => {
    const e = await byType();
    const user = e.get('userEvidence')!;
    expect(user.roles).toEqual(['compromised', 'account']);
    expect(user.verdict).toBe('suspicious');
    expect(user.remediationStatus).toBe('none');
    expect(user.createdAt).toBe('2024-03-01T10:00:00.000Z');
    expect(user.displayName).toBe('Jane Doe');
    expect(user.attributes['userAccount.userPrincipalName']).toBe('JDoe@contoso.com');
    const file = e.get('fileEvidence')!;
    expect(file.attributes['fileDetails.fileName']).toBe('invoice.docm');
    expect(file.displayName).toBe('invoice.docm');
    const dns = e.get('dnsEvidence')!;
    expect(dns.attributes.ipAddresses).toBe('203.0.113.50, 203.0.113.51');
    expect(dns.attributes['dnsServerIp.ipAddress']).toBe('192.0.2.53');
    expect(e.get('deviceEvidence')!.attributes.ipInterfaces).toBe('192.0.2.10, 192.0.2.11');
    expect(e.get('processEvidence')!.displayName).toBe('mimikatz.exe (4780)');
  });
});

describe('Microsoft 365 Defender API', () => {
  it('maps incidents, alerts, devices and entities by entityType', async () => {
    const { format, incidents } = await parseFile(fx('m365d-incidents.json'));
    expect(format).toBe('m365d');
    const [ransom, mimikatz] = incidents as [Incident, Incident];
    expect(ransom.sourceId).toBe('924565');
    expect(ransom.sourceFormat).toBe('m365d');
    expect(ransom.source).toBe('microsoft-defender');
    expect(ransom.title).toBe('Ransomware activity');
    expect(ransom.status).toBe('active');
    expect(ransom.severity).toBe('medium');
    expect(ransom.determination).toBe('notAvailable');
    expect(ransom.comments).toEqual([{ author: 'secop123@contoso.com', createdAt: '2021-01-26T01:00:37.840Z', text: 'test comment for docs' }]);
    expect(ransom.alerts[0]!.evidence.map((e) => [e.kind, e.key])).toEqual([
      ['user', 'testuser2@contoso.com'],
      ['ip', '203.0.113.204'],
    ]);
    const alert = mimikatz.alerts[0]!;
    expect(alert.sourceId).toBe('da637349914833441527_393341063');
    expect(alert.status).toBe('resolved');
    expect(alert.threatFamilyName).toBe('Mimikatz');
    expect(alert.resolvedAt).toBe('2020-09-06T12:18:04.000Z');
    const kinds = alert.evidence.map((e) => e.kind);
    expect(kinds).toEqual(['device', 'file', 'process', 'mailbox', 'mailMessage', 'mailCluster', 'registryValue', 'securityGroup', 'url', 'other']);
    expect(alert.evidence[0]!.key).toBe('24c222b0b60fe148eeece49ac83910cc6a7ef491');
    expect(alert.evidence[0]!.displayName).toBe('user5cx.middleeast.corp.contoso.com');
    expect(alert.evidence[1]!.key).toBe('5de839186691aa96ee2ca6d74f0a38fb8d1bd6dd');
    expect(mimikatz.status).toBe('resolved');
    expect(mimikatz.classification).toBe('truePositive');
    expect(mimikatz.tags).toEqual(['Lab']);
  });
});

describe('errors', () => {
  it('names file, line and column for a JSON syntax error', async () => {
    const error = await rejection(parseFile(fx('bad-syntax.json')));
    expect(error.exitCode).toBe(2);
    expect(error.location).toMatchObject({ file: fx('bad-syntax.json'), line: 4, column: 48 });
    expect(error.message).toMatch(/invalid JSON/);
  });

  it('names the NDJSON line and column for a syntax error on one line', async () => {
    const error = await rejection(parseFile(fx('bad-ndjson-syntax.ndjson')));
    expect(error.location).toMatchObject({ line: 3, column: 32 });
  });

  it('names the JSON path for an unparseable time', async () => {
    const error = await rejection(parseFile(fx('bad-time.json')));
    expect(error.location).toEqual({ file: fx('bad-time.json'), path: '$.value[1].createdDateTime' });
    expect(error.message).toContain('yesterday');
  });

  it('names the JSON path inside evidence and for a missing required time', async () => {
    expect((await rejection(parseFile(fx('bad-evidence-time.json')))).location?.path).toBe('$.value[0].evidence[0].createdDateTime');
    const missing = await rejection(parseFile(fx('bad-missing-alert-time.json')));
    expect(missing.location?.path).toBe('$.value[0].alerts[0].createdDateTime');
    expect(missing.message).toMatch(/required/);
  });

  it('prefixes the NDJSON line to the JSON path', async () => {
    const error = await rejection(parseFile(fx('bad-ndjson.ndjson')));
    expect(error.location?.path).toBe('line 3: $.evidence[1]');
  });

  it('rejects a missing file, an empty file and records it cannot recognise', async () => {
    expect((await rejection(parseFile(fx('no-such-file.json')))).message).toMatch(/not found/);
    await expect(parseText('   \n', { file: 'empty.json' })).rejects.toThrow(InputError);
    await expect(parseText('[{"hello": 1}]', { file: 'x.json' })).rejects.toThrow(/cannot tell the format/);
    await expect(parseText('[{"id": 1}]', { file: 'x.json', format: 'graph' })).rejects.toThrow(/createdDateTime/);
  });
});

describe('format detection', () => {
  it('tells Graph from Microsoft 365 Defender', () => {
    const read = (name: string) => JSON.parse(readFileSync(fx(name), 'utf8')) as unknown;
    expect(detectFormat(read('graph-alerts-page.json'))).toBe('graph');
    expect(detectFormat(read('graph-incident-single.json'))).toBe('graph');
    expect(detectFormat(read('graph-incidents-array.json'))).toBe('graph');
    expect(detectFormat(read('m365d-incidents.json'))).toBe('m365d');
    expect(detectFormat({ '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents', value: [] })).toBe('m365d');
    expect(detectFormat({ hello: 'world' })).toBeUndefined();
    expect(detectFormat(42)).toBeUndefined();
  });

  it('honours a forced format', async () => {
    const error = await rejection(parseFile(fx('m365d-incidents.json'), 'graph'));
    expect(error.location?.path).toBe('$.value[0].id');
  });
});

describe('examples', () => {
  const cases = [
    { file: 'phishing-credential-theft.json', id: '38210', alerts: 5, evidence: 18, entities: 10, techniques: 6, comments: 3 },
    { file: 'identity-attack.json', id: '39544', alerts: 5, evidence: 15, entities: 8, techniques: 5, comments: 3 },
    { file: 'ransomware.json', id: '41873', alerts: 11, evidence: 45, entities: 30, techniques: 20, comments: 6 },
  ];
  for (const c of cases) {
    it(`imports ${c.file}`, async () => {
      const { format, incidents } = await parseFile(join(examples, c.file));
      expect(format).toBe('graph');
      expect(incidents).toHaveLength(1);
      const inc = incidents[0]!;
      expect(inc.sourceId).toBe(c.id);
      expect(inc.alerts).toHaveLength(c.alerts);
      const evidence = inc.alerts.flatMap((a) => a.evidence);
      expect(evidence).toHaveLength(c.evidence);
      expect(new Set(evidence.map((e) => `${e.kind}:${e.key}`)).size).toBe(c.entities);
      expect(new Set(inc.alerts.flatMap((a) => a.techniques)).size).toBe(c.techniques);
      expect(inc.comments).toHaveLength(c.comments);
      expect(new Set(inc.alerts.map((a) => a.status))).toEqual(new Set(['new', 'inProgress', 'resolved']));
      expect(evidence.some((e) => e.kind === 'other')).toBe(false);
    });
  }

  it('ransomware spans at least four devices and two days, with Mimikatz evidence', async () => {
    const inc = (await parseFile(join(examples, 'ransomware.json'))).incidents[0]!;
    const devices = new Set(inc.alerts.flatMap((a) => a.evidence).filter((e) => e.kind === 'device').map((e) => e.key));
    expect(devices.size).toBeGreaterThanOrEqual(4);
    expect(inc.severity).toBe('high');
    expect(inc.determination).toBe('multiStagedAttack');
    const times = inc.alerts.map((a) => Date.parse(a.createdAt));
    expect((Math.max(...times) - Math.min(...times)) / 3_600_000).toBeGreaterThan(20);
    expect(inc.alerts.some((a) => a.techniques.includes('T1003.001') && a.evidence.some((e) => e.kind === 'process' && /sekurlsa/.test(String(e.attributes.processCommandLine))))).toBe(true);
    expect(inc.alerts.filter((a) => a.status === 'resolved').every((a) => a.resolvedAt !== null)).toBe(true);
  });

  it('m365d example imports in the older format', async () => {
    const { format, incidents } = await parseFile(join(examples, 'm365d-incidents.json'));
    expect(format).toBe('m365d');
    expect(incidents.map((i) => [i.sourceId, i.alerts.length])).toEqual([
      ['40110', 1],
      ['40112', 1],
    ]);
  });

  it('source ids are distinct across the examples', async () => {
    const ids: string[] = [];
    for (const f of ['phishing-credential-theft.json', 'identity-attack.json', 'ransomware.json', 'm365d-incidents.json']) {
      ids.push(...(await parseFile(join(examples, f))).incidents.map((i) => i.sourceId));
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
