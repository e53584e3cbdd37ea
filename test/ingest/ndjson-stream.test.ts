import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamNdjsonBlocks } from '../../src/ingest/json-text.js';
import { InputError } from '../../src/model/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-ndjson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(content: string | Buffer, blockBytes: number): Promise<Array<{ value: unknown; line?: number }>> {
  const file = join(dir, `f-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(file, content);
  const out: Array<{ value: unknown; line?: number }> = [];
  for await (const block of streamNdjsonBlocks(file, blockBytes)) out.push(...block);
  return out;
}

describe('NDJSON read from disk a block at a time', () => {
  const text = '\ufeff{"a":"Zoë ☃ 𝄞"}\r\n\n  \r\n{"b":[1,2]}\n{"c":"ascii only"}\r\n{"d":"€"}';
  const expected = [
    { value: { a: 'Zoë ☃ 𝄞' }, line: 1 },
    { value: { b: [1, 2] }, line: 4 },
    { value: { c: 'ascii only' }, line: 5 },
    { value: { d: '€' }, line: 6 },
  ];

  it('gives the same documents and line numbers whatever the block size: characters, CRLF and lines cut by block ends', async () => {
    for (const size of [4, 5, 6, 7, 8, 13, 64, 4096]) expect(await read(text, size)).toEqual(expected);
  });

  it('reads a line longer than a block, and a file ending with a line end', async () => {
    const long = JSON.stringify({ text: 'x'.repeat(100) });
    expect(await read(`${long}\n${long}\n`, 16)).toEqual([
      { value: { text: 'x'.repeat(100) }, line: 1 },
      { value: { text: 'x'.repeat(100) }, line: 2 },
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

  it('yields nothing for a file of blank lines', async () => {
    expect(await read('\n \n\t\r\n', 4)).toEqual([]);
  });
});
