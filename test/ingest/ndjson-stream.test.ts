import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFile, parseFileInBatches } from '../../src/ingest/index.js';
import { readFileDocuments } from '../../src/ingest/input-file.js';
import { InputError } from '../../src/model/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-ndjson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(content: string | Buffer, blockBytes: number): Promise<Array<{ value: unknown; line?: number }>> {
  const file = join(dir, `f-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(file, content);
  const out: Array<{ value: unknown; line?: number }> = [];
  for await (const block of readFileDocuments(file, blockBytes)) out.push(...block);
  return out;
}

describe('an input file read once, a block at a time', () => {
  const text = '\ufeff{"a":"Zoë ☃ 𝄞"}\r\n\n  \r\n{"b":[1,2]}\n{"c":"ascii only"}\r\n{"d":"€"}';
  const expected = [
    { value: { a: 'Zoë ☃ 𝄞' }, line: 1, text: '{"a":"Zoë ☃ 𝄞"}' },
    { value: { b: [1, 2] }, line: 4, text: '{"b":[1,2]}' },
    { value: { c: 'ascii only' }, line: 5, text: '{"c":"ascii only"}' },
    { value: { d: '€' }, line: 6, text: '{"d":"€"}' },
  ];

  it('gives the same documents and line numbers whatever the block size: characters, CRLF and lines cut by block ends', async () => {
    for (const size of [4, 5, 6, 7, 8, 13, 64, 4096]) expect(await read(text, size)).toEqual(expected);
  });

  it('reads a line longer than a block, and a file ending with a line end', async () => {
    const long = JSON.stringify({ text: 'x'.repeat(100) });
    expect(await read(`${long}\n${long}\n`, 16)).toEqual([
      { value: { text: 'x'.repeat(100) }, line: 1, text: long },
      { value: { text: 'x'.repeat(100) }, line: 2, text: long },
    ]);
  });

  it('names the file, line and column of a syntax error in a later block', async () => {
    const content = `{"a":1}\n{"b":2}\n{"c":3,}\n`;
    const error: unknown = await read(content, 5).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toMatchObject({ line: 3, column: 8 });
    expect((error as InputError).location?.file).toMatch(/\.ndjson$/);
    expect((error as InputError).message).toMatch(/^invalid JSON: /);
  });

  it('reads one JSON document whole, over many blocks, on one line or several', async () => {
    const page = { value: [{ id: 'a', text: 'Zoë ☃ 𝄞' }, { id: 'b' }] };
    for (const text of [JSON.stringify(page), JSON.stringify(page, null, 2), `${JSON.stringify(page)}\n\n   \n`]) {
      for (const size of [5, 7, 64, 4096]) expect(await read(text, size)).toEqual([{ value: page }]);
    }
  });

  it('tells NDJSON by its first line: a first line that is not a whole object is one document', async () => {
    const error: unknown = await read('[{"a":1},\n{"b":2}]\n{"c":3}\n', 6).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as InputError).location).toMatchObject({ line: 3, column: 1 });
    expect(await read('  \n\n{"a":1}\n\n{"b":2}', 3)).toEqual([
      { value: { a: 1 }, line: 3, text: '{"a":1}' },
      { value: { b: 2 }, line: 5, text: '{"b":2}' },
    ]);
  });

  it('refuses a file of blank lines, and a missing file, naming it', async () => {
    await expect(read('\n \n\t\r\n', 4)).rejects.toThrow(/the file is empty/);
    await expect(parseFile(join(dir, 'missing.ndjson'))).rejects.toThrow(/file not found/);
  });
});

describe('raw JSON of NDJSON records', () => {
  it("keeps each line's own text as its alert's raw JSON text, whitespace and all; other records have none", async () => {
    const file = fileURLToPath(new URL('../fixtures/ingest/graph-alerts.ndjson', import.meta.url));
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const alerts = [];
    for await (const batch of parseFileInBatches(file, 'auto')) for (const incident of batch.incidents) alerts.push(...incident.alerts);
    expect(alerts).toHaveLength(lines.length);
    for (const a of alerts) {
      const text = a.rawText as string;
      expect(lines).toContain(text);
      expect(text).toContain('", "'); // the source's spacing, which JSON.stringify would not write
      expect(JSON.parse(text)).toEqual(a.raw);
    }
    const page = await parseFile(fileURLToPath(new URL('../fixtures/ingest/graph-alerts-page.json', import.meta.url)));
    expect(page.incidents.flatMap((i) => i.alerts).every((a) => a.rawText === undefined)).toBe(true);
  });
});
