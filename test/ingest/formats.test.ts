import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/ingest/formats.js';
import { detectFormat, parseFile, parseText } from '../../src/ingest/index.js';
import { refusal } from './soc-helpers.js';

const fixtures = join(__dirname, '..', 'fixtures', 'ingest');
const examples = join(__dirname, '..', '..', 'examples');

describe('format registry', () => {
  it('registers every format', () => {
    expect(FORMATS.map((f) => f.name).sort()).toEqual(['elastic', 'graph', 'm365d', 'ocsf', 'sentinel', 'splunk', 'thehive', 'wazuh']);
  });

  it('tells each fixture by its shape, through every envelope', async () => {
    const cases: [string, string][] = [
      ['ocsf/detection-findings.ndjson', 'ocsf'],
      ['ocsf/incident-with-finding.json', 'ocsf'],
      ['wazuh/alerts.json', 'wazuh'],
      ['wazuh/search-response.json', 'wazuh'],
      ['splunk/notables-rest.json', 'splunk'],
      ['splunk/notables-export.ndjson', 'splunk'],
      ['graph-alerts-page.json', 'graph'],
      ['m365d-incidents.json', 'm365d'],
    ];
    for (const [file, format] of cases) expect([file, (await parseFile(join(fixtures, file))).format]).toEqual([file, format]);
  });

  it('is unambiguous: every record of every readable fixture and example is claimed by exactly one format', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : /^(bad-|malformed)/.test(e.name) || !/\.(json|ndjson)$/.test(e.name) ? [] : [join(dir, e.name)],
      );
    const unwrap = (doc: unknown): unknown[] => {
      if (Array.isArray(doc)) return doc.flatMap(unwrap);
      if (typeof doc !== 'object' || doc === null) return [];
      const o = doc as Record<string, unknown>;
      if (Array.isArray(o.value)) return o.value.flatMap(unwrap);
      const hits = (o.hits as { hits?: unknown[] } | undefined)?.hits;
      if (Array.isArray(hits)) return hits.flatMap(unwrap);
      if (typeof o._source === 'object' && o._source !== null && ('_index' in o || '_id' in o)) return [o._source];
      if (Array.isArray(o.results) && 'preview' in o) return o.results;
      if (typeof o.result === 'object' && o.result !== null && 'preview' in o) return [o.result];
      return [o];
    };
    let checked = 0;
    for (const file of [...files(fixtures), ...files(examples)]) {
      const text = readFileSync(file, 'utf8');
      let docs: unknown[];
      try {
        docs = [JSON.parse(text) as unknown];
      } catch {
        docs = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
      }
      for (const record of docs.flatMap(unwrap)) {
        const claims = FORMATS.filter((f) => f.detect(record as Record<string, unknown>)).map((f) => f.name);
        if (claims.length === 0) continue; // records read as their file's format (e.g. a Graph page's bare records)
        expect([file, claims]).toEqual([file, [claims[0]]]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('reads a mixed NDJSON file record by record, and unwraps single hits', async () => {
    const { readFileSync } = await import('node:fs');
    const ocsf = readFileSync(join(fixtures, 'ocsf/detection-findings.ndjson'), 'utf8').trim().split('\n')[0]!;
    const wazuh = readFileSync(join(fixtures, 'wazuh/alerts.json'), 'utf8').trim().split('\n')[0]!;
    const hit = JSON.stringify({ _index: 'wazuh-alerts-4.x-2026.03.01', _id: 'x', _source: JSON.parse(readFileSync(join(fixtures, 'wazuh/alerts.json'), 'utf8').trim().split('\n')[3]!) });
    const result = await parseText([ocsf, wazuh, hit].join('\n'), { file: 'mixed.ndjson' });
    expect(result.format).toBe('ocsf');
    expect(result.formats!.sort()).toEqual(['ocsf', 'wazuh']);
    expect(result.incidents.flatMap((i) => i.alerts.map((a) => a.sourceId)).sort()).toEqual(['1772370900.1048576', '1772371205.4194304', 'ocsf-det-0001']);
    expect(detectFormat(JSON.parse(hit))).toBe('wazuh');
  });

  it('refuses unknown formats, a record read as a format whose shape it lacks, and records no format claims', async () => {
    expect(await refusal(parseText('{}', { file: 'x.json', format: 'nope' as never }))).toMatch(/unknown format "nope"/);
    expect(await refusal(parseText('{}', { file: 'x.json', format: 'sentinel' }))).toMatch(/x\.json: \$\.properties: required field "properties" is missing/);
    expect(await refusal(parseText('{"hello":1}\n{"hello":2}', { file: 'x.ndjson' }))).toMatch(/x\.ndjson: line 1: \$: cannot tell the format: expected one of .*OCSF.*Wazuh.*Splunk/);
  });

  it('reads the shipped examples of ocsf, wazuh and splunk', async () => {
    for (const [file, format] of [
      ['ocsf-ransomware-precursor.ndjson', 'ocsf'],
      ['wazuh-ssh-intrusion.json', 'wazuh'],
      ['splunk-credential-dumping.json', 'splunk'],
    ]) {
      const r = await parseFile(join(examples, file!));
      expect([file, r.format, r.incidents.length > 0]).toEqual([file, format, true]);
    }
  });
});
