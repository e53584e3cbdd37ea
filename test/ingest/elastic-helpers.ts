/** Shared by the Elastic and TheHive mapper tests: records of a fixture, mapped by one format. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Where } from '../../src/ingest/fields.js';
import type { MappedRecord, RecordFormat } from '../../src/ingest/formats.js';
import { InputError } from '../../src/model/errors.js';
import { isRecord, type JsonObject } from '../../src/model/json.js';

export const fixtures = join(__dirname, '..', 'fixtures', 'ingest');

/**
 * The records of a fixture with their JSON paths, envelopes unwrapped the way the registry does
 * (an array, NDJSON lines, a search response's `hits.hits[]._source`), so a mapper can be tested alone.
 */
export function recordsOf(file: string): { record: JsonObject; where: Where }[] {
  const text = readFileSync(file, 'utf8');
  const out: { record: JsonObject; where: Where }[] = [];
  const add = (value: unknown, where: Where) => {
    if (Array.isArray(value)) value.forEach((v, i) => add(v, where.index(i)));
    else if (isRecord(value) && isRecord(value.hits) && Array.isArray(value.hits.hits)) {
      value.hits.hits.forEach((h, i) => add((h as JsonObject)._source, where.key('hits').key('hits').index(i).key('_source')));
    } else if (isRecord(value)) out.push({ record: value, where });
  };
  let whole: unknown;
  try {
    whole = JSON.parse(text) as unknown;
  } catch {
    // NDJSON (whatever the file is called: Wazuh's alerts.json is NDJSON).
    text.split('\n').forEach((line, i) => {
      if (line.trim() !== '') add(JSON.parse(line) as unknown, new Where(file, '$', i + 1));
    });
    return out;
  }
  add(whole, new Where(file));
  return out;
}

export function mapFile(format: RecordFormat, file: string): MappedRecord[] {
  return recordsOf(file).flatMap(({ record, where }) => format.parse(record, where, { file }));
}

/** The InputError a mapping throws (the test fails if it does not throw one). */
export function refusal(work: () => unknown): InputError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected the mapping to fail');
}

/**
 * The JSON and NDJSON fixture files of every other format (the files of test/fixtures/ingest and of
 * its folders but `own`), for checking that a format's detection claims none of their records.
 */
export function otherFormatsFixtures(own: string): string[] {
  const others: string[] = [];
  for (const entry of readdirSync(fixtures, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== own) {
      for (const f of readdirSync(join(fixtures, entry.name))) if (/\.(json|ndjson)$/.test(f)) others.push(join(fixtures, entry.name, f));
    } else if (/\.(json|ndjson)$/.test(entry.name) && !/syntax/.test(entry.name)) others.push(join(fixtures, entry.name));
  }
  return others;
}

/** Expects `format` to claim no record (nor an array's item) of the other formats' fixtures. */
export function expectClaimsNoOtherRecord(format: RecordFormat, own: string): void {
  const others = otherFormatsFixtures(own);
  expect(others.length).toBeGreaterThan(5);
  for (const file of others) {
    let records: ReturnType<typeof recordsOf>;
    try {
      records = recordsOf(file);
    } catch {
      continue; // deliberately broken JSON
    }
    for (const { record } of records) {
      const inner: unknown[] = Array.isArray(record.value) ? record.value : [];
      for (const r of [record, ...inner]) expect(format.detect(r as never), file).toBe(false);
    }
  }
}
