import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFile, parseText } from '../../src/ingest/index.js';
import { MAX_DEPTH, MAX_RECORD_CHARS } from '../../src/ingest/json-limits.js';
import { findSyntaxError } from '../../src/ingest/json-syntax.js';
import { NdjsonLines } from '../../src/ingest/json-text.js';
import { canonicalJson, jsonText } from '../../src/model/canonical-json.js';
import { InputError } from '../../src/model/errors.js';
import { stableHash } from '../../src/ingest/fields.js';
import { rejectedInput as refusal } from '../helpers/input-error.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alert = (extra: Record<string, unknown> = {}) => ({ '@odata.type': '#microsoft.graph.security.alert', id: 'da1', incidentId: 7, createdDateTime: '2026-03-01T10:00:00Z', ...extra });

/** A value nested `levels` deep: `{"a":{"a":...1...}}` or `[[...1...]]`. */
const nestedObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const nestedArray = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

describe('deeply nested JSON', () => {
  for (const levels of [10_000, 100_000]) {
    it(`refuses ${levels.toLocaleString('en-US')} levels in an object field, naming the file and the path`, async () => {
      const text = JSON.stringify(alert()).replace(/}$/, `,"deep":${nestedObject(levels)}}`);
      const error = await refusal(parseText(text, { file: 'deep.json' }));
      expect(error.message).toMatch(/nested deeper than 512 levels/);
      expect(error.location?.file).toBe('deep.json');
      expect(error.location?.path).toMatch(/^\$\.deep\.a\.a\.a\.a\.a\.\.\.\(\d+ more levels\)\.\.\.\.a\.a\.a\.a\.a\.a$/);
    });

    it(`refuses ${levels.toLocaleString('en-US')} levels in an array field and in a whole-file array`, async () => {
      const inField = JSON.stringify(alert()).replace(/}$/, `,"evidence":${nestedArray(levels)}}`);
      expect((await refusal(parseText(inField, { file: 'a.json' }))).location?.path).toMatch(/^\$\.evidence\[0\]\[0\]/);
      const whole = join(dir, `whole-${levels}.json`);
      writeFileSync(whole, nestedArray(levels));
      const error = await refusal(parseFile(whole));
      expect(error.location?.file).toBe(whole);
      expect(error.location?.path).toMatch(/^\$\[0\]\[0\]/);
    });

    it(`refuses ${levels.toLocaleString('en-US')} levels on one NDJSON line, naming the line`, async () => {
      const file = join(dir, `deep-${levels}.ndjson`);
      writeFileSync(file, `${JSON.stringify(alert())}\n${JSON.stringify(alert({ id: 'da2' })).replace(/}$/, `,"x":${nestedObject(levels)}}`)}\n`);
      const error = await refusal(parseFile(file));
      expect(error.location).toMatchObject({ file, path: expect.stringMatching(/^line 2: \$\.x\.a/) });
    });

    it(`reports the syntax error of ${levels.toLocaleString('en-US')} unclosed levels without exhausting the stack`, async () => {
      expect(findSyntaxError('['.repeat(levels))).toEqual({ offset: levels, reason: 'unexpected end of input' });
      expect(findSyntaxError(`${nestedObject(levels)}x`)?.reason).toMatch(/unexpected content/);
      expect(findSyntaxError(nestedObject(levels))).toBeUndefined();
      const file = join(dir, `broken-${levels}.json`);
      writeFileSync(file, `[${'{"a":['.repeat(levels)}`);
      const error = await refusal(parseFile(file));
      expect(error.message).toMatch(/invalid JSON|nested deeper/);
    });
  }

  it('accepts exactly the limit and refuses one level more', async () => {
    // The alert object is level 1, "x" adds MAX_DEPTH - 1 more.
    const at = JSON.stringify(alert()).replace(/}$/, `,"x":${nestedArray(MAX_DEPTH - 1)}}`);
    expect((await parseText(at, { file: 'ok.json' })).incidents).toHaveLength(1);
    const over = JSON.stringify(alert()).replace(/}$/, `,"x":${nestedArray(MAX_DEPTH)}}`);
    await refusal(parseText(over, { file: 'over.json' }));
  });

  it('brackets inside strings do not count', async () => {
    const text = JSON.stringify(alert({ description: '['.repeat(5000) + '{"'.repeat(5000) }));
    expect((await parseText(text, { file: 's.json' })).incidents[0]!.alerts[0]!.description).toHaveLength(15_000);
  });

  it('finds syntax errors as before in shallow text', () => {
    expect(findSyntaxError('{"a":}')).toEqual({ offset: 5, reason: 'unexpected character "}"' });
    expect(findSyntaxError('[1,]')?.reason).toBe('unexpected character "]"');
    expect(findSyntaxError('{"a" 1}')?.reason).toMatch(/expected ':'/);
    expect(findSyntaxError('[1 2]')?.reason).toMatch(/expected ',' or '\]'/);
    expect(findSyntaxError('{"a":1,}')?.reason).toMatch(/double-quoted property name/);
    expect(findSyntaxError('[1,{"b":[true,null,"x\\n"]},-2.5e3]')).toBeUndefined();
    expect(findSyntaxError('"\\q"')?.reason).toBe('invalid escape in string');
  });
});

describe('record size', () => {
  const take = (lines: NdjsonLines, text: string) => [...lines.documents(text), ...lines.end()];

  it('refuses an NDJSON line longer than the limit, naming the line, whether or not it has ended', () => {
    expect(MAX_RECORD_CHARS).toBe(64 * 1024 * 1024);
    const short = JSON.stringify(alert());
    const long = JSON.stringify(alert({ description: 'x'.repeat(2000) }));
    expect(take(new NdjsonLines('f.ndjson', 1000), `${short}\n`)).toHaveLength(1);
    for (const text of [`${short}\n${long}\n`, `${short}\n${long}`]) {
      let error: unknown;
      try {
        take(new NdjsonLines('f.ndjson', 1000), text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).location).toMatchObject({ file: 'f.ndjson', line: 2 });
      expect((error as InputError).message).toMatch(/longer than 1,000 characters/);
    }
  });
});

describe('JSON writers without recursion', () => {
  const deep = JSON.parse(nestedArray(100_000)) as unknown;

  it('write 100,000 levels where JSON.stringify runs out of stack', () => {
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(jsonText(deep)).toBe(nestedArray(100_000));
    expect(canonicalJson(deep)).toBe(nestedArray(100_000));
    expect(stableHash(deep)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('write what JSON.stringify writes (keys sorted for canonicalJson), bigints as digits', () => {
    const value = { b: [1, undefined, null, 'x', { d: new Date(0), c: undefined }], a: -0, n: Number.NaN, s: 'q"\u0000' };
    expect(canonicalJson(value)).toBe('{"a":0,"b":[1,null,null,"x",{"d":"1970-01-01T00:00:00.000Z"}],"n":null,"s":"q\\"\\u0000"}');
    expect(jsonText({ id: 9007199254740993n, list: [1n] })).toBe('{"id":9007199254740993,"list":[1]}');
    expect(jsonText({ z: 1, a: 2 })).toBe('{"z":1,"a":2}');
  });
});

describe('the writers give the texts their recursive forerunners gave', () => {
  /** canonicalJson before: JSON.stringify of a copy with keys inserted sorted. */
  const oldCanonical = (value: unknown): string => {
    const sortKeys = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortKeys);
      if (v && typeof v === 'object' && !(v instanceof Date)) {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(v).sort()) {
          const member = (v as Record<string, unknown>)[key];
          if (member !== undefined) out[key] = sortKeys(member);
        }
        return out;
      }
      return v;
    };
    return JSON.stringify(sortKeys(value)) ?? 'null';
  };
  /** stableHash's text before: keys in plain sorted order. */
  const oldStable = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(oldStable).join(',')}]`;
    if (value !== null && typeof value === 'object') {
      return `{${Object.keys(value)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${oldStable((value as Record<string, unknown>)[k])}`)
        .join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
  };

  it('for values with index-like keys, unicode keys and nesting', async () => {
    const { sortedKeysJson } = await import('../../src/model/canonical-json.js');
    const values: unknown[] = [
      { b: 1, a: { '10': 1, '9': 2, z: [3, { y: null, x: 'é' }], '01': 4, '4294967295': 5, 'É': 6 } },
      [1, 'two', { '2': [], '1': {} }],
      'text',
      42,
      null,
    ];
    for (const value of values) {
      expect(canonicalJson(value)).toBe(oldCanonical(value));
      expect(sortedKeysJson(value)).toBe(oldStable(value));
    }
  });
});
