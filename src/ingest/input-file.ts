import { isAscii } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import { documentsOfText, NdjsonLines, NdjsonSniffer, type JsonDocument } from './json-text.js';

/** How much of a file is read at a time. */
const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * The JSON documents of one input file, opened and read once. Its beginning tells NDJSON from one
 * JSON document: NDJSON is then read a block at a time (the file is never held whole, so exports
 * larger than one string can hold import too), each yield the documents of one block's complete
 * lines, parsed as they are iterated; one JSON document is read whole (it cannot be parsed in
 * parts). The bytes read to tell the two apart begin either reading. Errors are InputErrors naming
 * the file (and the line and column of a syntax error).
 */
export async function* readFileDocuments(path: string, blockBytes = BLOCK_BYTES): AsyncGenerator<Iterable<JsonDocument>> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(error, path);
  }
  try {
    const texts = fileTexts(handle, path, blockBytes);
    const sniffer = new NdjsonSniffer();
    const read: string[] = [];
    let ndjson: boolean | undefined;
    let next = await texts.next();
    while (!next.done) {
      read.push(next.value);
      ndjson = sniffer.feed(next.value);
      if (ndjson !== undefined) break;
      next = await texts.next();
    }
    if (ndjson) {
      const lines = new NdjsonLines(path);
      for (const text of read.splice(0)) yield lines.documents(text);
      for await (const text of texts) yield lines.documents(text);
      yield lines.end();
      return;
    }
    for await (const text of texts) read.push(text);
    yield documentsOfText(wholeText(read, path), path).documents;
  } finally {
    await handle.close();
  }
}

/**
 * The file's text a block at a time. Most exports are ASCII: such a block is copied into a
 * one-byte string without UTF-8 decoding. A character cut by a block's end waits for the next.
 */
async function* fileTexts(handle: FileHandle, path: string, blockBytes: number): AsyncGenerator<string> {
  const buffer = Buffer.allocUnsafe(blockBytes);
  /** Bytes of a character cut by the end of the last block, kept at the start of the buffer. */
  let pending = 0;
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, pending, buffer.length - pending, null));
    } catch (error) {
      throw readError(error, path);
    }
    const filled = pending + bytesRead;
    const done = bytesRead === 0;
    const whole = done ? filled : completeUtf8Length(buffer, filled);
    const block = buffer.subarray(0, whole);
    if (whole > 0) yield isAscii(block) ? block.toString('latin1') : block.toString('utf8');
    buffer.copy(buffer, 0, whole, filled);
    pending = filled - whole;
    if (done) return;
  }
}

/** One JSON document's text from the blocks read. */
function wholeText(texts: string[], path: string): string {
  try {
    return texts.join('');
  } catch (error) {
    if (error instanceof RangeError) throw new InputError('the file is too large to read as one JSON document: export it as NDJSON (one record per line), which is read a block at a time', { file: path });
    throw error;
  }
}

/** The length of the longest prefix of buffer[0, length) that does not end inside a UTF-8 character. */
function completeUtf8Length(buffer: Buffer, length: number): number {
  let i = length - 1;
  while (i >= 0 && length - i < 4 && ((buffer[i] as number) & 0xc0) === 0x80) i--;
  if (i < 0) return length;
  const lead = buffer[i] as number;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + size <= length ? length : i;
}

/** A missing or unreadable file, named. */
function readError(error: unknown, path: string): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  return new InputError(code === 'ENOENT' ? 'file not found' : `cannot read the file: ${(error as Error).message}`, { file: path });
}
