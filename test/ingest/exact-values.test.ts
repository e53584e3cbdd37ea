import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { optEnum, optString, reqId, reqString, Where } from '../../src/ingest/fields.js';
import { parseFile, parseText } from '../../src/ingest/index.js';
import { InputError } from '../../src/model/errors.js';
import { escapeText, unescapeText } from '../../src/model/text-escape.js';
import { SEVERITY_VALUES } from '../../src/model/enums.js';
import { rejectedInput as refusal } from '../helpers/input-error.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-exact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const graphIncident = (id: string, extra = '') => `{"id":${id},"createdDateTime":"2026-03-01T10:00:00Z","displayName":"incident ${id.replace(/"/g, '')}"${extra}}`;
const graphAlert = (id: string, incidentId: string, extra = '') =>
  `{"@odata.type":"#microsoft.graph.security.alert","id":${id},"incidentId":${incidentId},"createdDateTime":"2026-03-01T10:00:00Z"${extra}}`;
const m365dIncident = (id: string, extra = '') => `{"incidentId":${id},"incidentName":"n","createdTime":"2026-03-01T10:00:00Z"${extra}}`;

describe('ids are exact', () => {
  it('keeps incidents 9007199254740992 and 9007199254740993 apart (Graph, m365d; whole file and NDJSON)', async () => {
    for (const text of [`[${graphIncident('9007199254740992')},${graphIncident('9007199254740993')}]`, `${graphIncident('9007199254740992')}\n${graphIncident('9007199254740993')}\n`]) {
      const { incidents } = await parseText(text, { file: 'big.json' });
      expect(incidents.map((i) => i.sourceId)).toEqual(['9007199254740992', '9007199254740993']);
    }
    const m = await parseText(`[${m365dIncident('9007199254740993')},${m365dIncident('123456789012345678901234567890')}]`, { file: 'm.json' });
    expect(m.incidents.map((i) => i.sourceId)).toEqual(['9007199254740993', '123456789012345678901234567890']);
    // The raw JSON written for the store keeps every digit.
    expect(m.incidents[0]!.raw).toMatchObject({ incidentId: 9007199254740993n });
  });

  it('groups alerts by an exact numeric incidentId', async () => {
    const text = [graphAlert('"a1"', '9007199254740992'), graphAlert('"a2"', '9007199254740993'), graphAlert('"a3"', '9007199254740993')].join('\n');
    const { incidents } = await parseText(text, { file: 'alerts.ndjson' });
    expect(incidents.map((i) => [i.sourceId, i.alerts.map((a) => a.sourceId)])).toEqual([
      ['9007199254740992', ['a1']],
      ['9007199254740993', ['a2', 'a3']],
    ]);
  });

  it('reads small integers and strings as before, and a long digit run inside a string as the string', async () => {
    const { incidents } = await parseText(`[${graphIncident('42')},${graphIncident('"0042"', ',"description":"12345678901234567890"')}]`, { file: 'x.json' });
    expect(incidents.map((i) => i.sourceId)).toEqual(['42', '0042']);
    expect(incidents[1]!.description).toBe('12345678901234567890');
  });

  it('refuses ids that are not strings or integers, naming the path', async () => {
    const cases: [string, RegExp][] = [
      ['1e400', /the number is out of range \(it reads as Infinity\)/],
      ['1.5', /an id must be a string or an integer, got number 1.5/],
      ['1e16', /cannot be read exactly/],
      ['true', /an id must be a string or an integer, got boolean true/],
      ['{"a":1}', /got an object/],
      ['[1]', /got an array/],
    ];
    for (const [id, reason] of cases) {
      const error = await refusal(parseText(`[${graphIncident('"ok"')},${graphIncident(id)}]`, { file: 'bad.json' }));
      expect(error.message).toMatch(reason);
      expect(error.location).toMatchObject({ file: 'bad.json', path: '$[1].id' });
    }
    const m = await refusal(parseText(m365dIncident('1.5'), { file: 'm.json' }));
    expect(m.location?.path).toBe('$.incidentId');
    const grouped = await refusal(parseText(graphAlert('"a"', '2.5'), { file: 'g.json' }));
    expect(grouped.location?.path).toBe('$.incidentId');
  });

  it('optString and reqString give the exact digits of a bigint and refuse a rounded number', () => {
    const where = new Where('f.json');
    expect(reqString({ id: 9007199254740993n }, 'id', where)).toBe('9007199254740993');
    expect(optString({ id: 12 }, 'id', where)).toBe('12');
    expect(() => optString({ id: 9007199254740992 }, 'id', where)).toThrow(/cannot be read exactly/);
    expect(() => optString({ id: Number.POSITIVE_INFINITY }, 'id', where)).toThrow(InputError);
    expect(reqId({ id: -7 }, 'id', where)).toBe('-7');
  });
});

describe('values checked at ingest', () => {
  it('refuses a severity, status or classification of the wrong type, naming the path', async () => {
    for (const [field, value] of [
      ['severity', '5'],
      ['severity', '"5"'],
      ['severity', 'true'],
      ['status', '{"x":1}'],
      ['classification', '[1]'],
    ] as const) {
      const error = await refusal(parseText(`[${graphIncident('"1"', `,"${field}":${value}`)}]`, { file: 'e.json' }));
      expect(error.location).toEqual({ file: 'e.json', path: `$[0].${field}` });
      expect(error.message).toMatch(/expected one of/);
    }
    const alert = await refusal(parseText(graphAlert('"a"', '"i"', ',"severity":3'), { file: 'a.json' }));
    expect(alert.location?.path).toBe('$.severity');
    const m = await refusal(parseText(m365dIncident('1', ',"alerts":[{"alertId":"x","creationTime":"2026-03-01T10:00:00Z","severity":256}]'), { file: 'm.json' }));
    expect(m.location?.path).toBe('$.alerts[0].severity');
  });

  it('maps numeric codes when a source documents them, and keeps unknown strings as given', () => {
    const where = new Where('f.json');
    const codes = { '1': 'low', '2': 'medium', '3': 'high', '4': 'critical' };
    expect(optEnum({ severity: 3 }, 'severity', SEVERITY_VALUES, where, codes)).toBe('high');
    expect(optEnum({ severity: '4' }, 'severity', SEVERITY_VALUES, where, codes)).toBe('critical');
    expect(() => optEnum({ severity: 9 }, 'severity', SEVERITY_VALUES, where, codes)).toThrow(/or a code 1, 2, 3, 4, got number 9/);
    expect(optEnum({ severity: 'HIGH' }, 'severity', SEVERITY_VALUES, where)).toBe('high');
    expect(optEnum({ severity: 'Severe' }, 'severity', SEVERITY_VALUES, where)).toBe('Severe');
  });

  it('refuses dates that do not exist rather than rolling them over', async () => {
    for (const [value, field] of [
      ['2026-02-30T10:00:00Z', 'createdDateTime'],
      ['2026-02-29T00:00:00Z', 'createdDateTime'],
      ['2026-04-31T00:00:00+02:00', 'lastUpdateDateTime'],
      ['2026-01-01T24:00:00Z', 'createdDateTime'],
      ['2026-02-30', 'createdDateTime'],
    ] as const) {
      const text = `{"id":"1","createdDateTime":"${field === 'createdDateTime' ? value : '2026-03-01T10:00:00Z'}"${field === 'lastUpdateDateTime' ? `,"lastUpdateDateTime":"${value}"` : ''}}`;
      const error = await refusal(parseText(text, { file: 'd.json' }));
      expect(error.location).toEqual({ file: 'd.json', path: `$.${field}` });
      expect(error.message).toContain(value);
    }
    expect((await parseText(graphIncident('"1"').replace('2026-03-01T10:00:00Z', '2024-02-29T23:59:59Z'), { file: 'leap.json' })).incidents[0]!.createdAt).toBe('2024-02-29T23:59:59.000Z');
  });
});

describe('text a database cannot hold', () => {
  it('escapes U+0000, lone surrogates and the marker reversibly, leaving other text alone', () => {
    const source = 'a\u0000b\ud800c\udc00d\u2400e\ud83d\ude00f\\u0000';
    const escaped = escapeText(source);
    expect(escaped).toBe('a␀0000b␀d800c␀dc00d␀2400e\ud83d\ude00f\\u0000');
    expect(escaped.includes('\u0000')).toBe(false);
    expect(unescapeText(escaped)).toBe(source);
    expect(escapeText('DOMAIN\\user é')).toBe('DOMAIN\\user é');
  });

  it('escapes strings and keys of every record at ingest, keeping the NDJSON line as the raw text', async () => {
    const line = graphAlert('"a\\u0000"', '"i"', ',"title":"x\\u0000y\\ud800","evidence":[{"@odata.type":"#microsoft.graph.security.userEvidence","userAccount":{"accountName":"n\\u0000"},"k\\u0000":"\\u2400"}]');
    const { incidents } = await parseText(`${line}\n${line.replace('"a\\u0000"', '"b"')}`, { file: 'nul.ndjson' });
    const alert = incidents[0]!.alerts[0]!;
    expect(alert.sourceId).toBe('a␀0000');
    expect(alert.title).toBe('x␀0000y␀d800');
    expect(alert.evidence[0]!.key).toBe('n␀0000');
    expect(alert.raw).toMatchObject({ evidence: [{ 'k␀0000': '␀2400' }] });
    expect(alert.rawText).toBe(line);
    // No decoded string left holds U+0000 or a lone surrogate (the raw NDJSON line keeps its escapes as text).
    const decoded = JSON.stringify(incidents, (key, value: unknown) => (key === 'rawText' ? undefined : value));
    expect(/\\u0000|\\ud[89a-f]/i.test(decoded)).toBe(false);
  });
});

describe('warnings', () => {
  it('reports duplicate ids in one file once, naming the file and the id', async () => {
    const file = join(dir, 'dup.ndjson');
    writeFileSync(file, [graphAlert('"a1"', '"i1"'), graphAlert('"a1"', '"i1"'), graphAlert('"a1"', '"i1"'), graphAlert('"a2"', '"i1"')].join('\n'));
    const warnings: string[] = [];
    await parseFile(file, 'auto', (w) => warnings.push(w));
    expect(warnings).toEqual([`${file}: line 2: $: duplicate alert id "a1" (it appears earlier in the file); it is imported and counted once`]);
    const incidents = join(dir, 'dup-incidents.json');
    writeFileSync(incidents, `[${graphIncident('"9"')},${graphIncident('"9"')}]`);
    const more: string[] = [];
    await parseFile(incidents, 'auto', (w) => more.push(w));
    expect(more).toEqual([`${incidents}: $[1]: duplicate incident id "9" (it appears earlier in the file); it is imported and counted once`]);
  });

  it('warns about invalid UTF-8 naming the file and the first line, and keeps the rest of the line', async () => {
    const file = join(dir, 'latin1.ndjson');
    const good = Buffer.from(`${graphAlert('"a1"', '"i1"', ',"title":"caf\u00e9"')}\n`);
    const bad = Buffer.from(`${graphAlert('"a2"', '"i1"', ',"title":"caf\u00e9 XX"')}\n`);
    const at = bad.indexOf('XX');
    bad[at] = 0xe9; // Latin-1 é, not UTF-8
    bad[at + 1] = 0x21;
    writeFileSync(file, Buffer.concat([good, good, bad, bad]));
    const warnings: string[] = [];
    const { incidents } = await parseFile(file, 'auto', (w) => warnings.push(w));
    expect(warnings.filter((w) => w.includes('UTF-8'))).toEqual([
      `${file}:3: invalid UTF-8: each byte that is not UTF-8 is read as U+FFFD (the replacement character) and the rest is imported as it is; 1 more line(s) have invalid UTF-8`,
    ]);
    expect(incidents[0]!.alerts.find((a) => a.sourceId === 'a2')!.title).toBe('café \ufffd!');
    // A file whose U+FFFD was in the source (valid UTF-8) is not warned about.
    const honest = join(dir, 'fffd.ndjson');
    writeFileSync(honest, `${graphAlert('"a1"', '"i1"', ',"title":"\ufffd"')}\n`);
    const none: string[] = [];
    await parseFile(honest, 'auto', (w) => none.push(w));
    expect(none).toEqual([]);
  });
});
