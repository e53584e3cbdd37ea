import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/ingest/index.js';
import { IncidentSchema } from '../../src/model/incident.js';

/**
 * Ingest builds model records by hand and does not run them through zod again (that pass cost more
 * than the mapping itself on large imports). These tests hold the mappers to the schema: for every
 * readable fixture and example, IncidentSchema.parse must accept each incident and give back exactly
 * the same record (no default to fill in, no field to strip, no time to reject).
 */
const fixtures = join(__dirname, '..', 'fixtures', 'ingest');
const examples = join(__dirname, '..', '..', 'examples');

/** Readable fixtures, in the folder and its per-source folders (ocsf/, wazuh/, ...); malformed ones left out. */
const readable = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? readable(join(dir, e.name)) : e.name.startsWith('bad-') || e.name.startsWith('malformed') ? [] : [join(dir, e.name)],
  );

const files = [
  ...readable(fixtures),
  ...readdirSync(examples)
    .filter((f) => /\.(json|ndjson)$/.test(f))
    .map((f) => join(examples, f)),
];

describe('ingest output satisfies IncidentSchema', () => {
  it('has fixtures of every format to check', async () => {
    const formats = new Set<string>();
    for (const file of files) formats.add((await parseFile(file)).format);
    expect([...formats].sort()).toEqual(['elastic', 'graph', 'm365d', 'ocsf', 'splunk', 'thehive', 'wazuh']);
  });

  for (const file of files) {
    it(`maps ${file.startsWith(fixtures) ? file.slice(fixtures.length + 1) : file.slice(file.lastIndexOf('/') + 1)} to records the schema returns unchanged`, async () => {
      const { incidents } = await parseFile(file);
      expect(incidents.length).toBeGreaterThan(0);
      for (const incident of incidents) {
        expect(IncidentSchema.parse(incident)).toStrictEqual(incident);
      }
    });
  }

  it('would notice a record the schema rejects', () => {
    expect(() => IncidentSchema.parse({ source: 'microsoft-defender', sourceFormat: 'graph', sourceId: '' })).toThrow();
  });
});
