import { isAscii, isUtf8 } from 'node:buffer';
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
export async function* readFileDocuments(path: string, blockBytes = BLOCK_BYTES, onWarning?: (message: string) => void): AsyncGenerator<Iterable<JsonDocument>> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(error, path);
  }
  try {
    const invalid = new InvalidUtf8(path, onWarning);
    const texts = fileTexts(handle, path, blockBytes, invalid);
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
      invalid.end();
      return;
    }
    for await (const text of texts) read.push(text);
    invalid.end();
    yield documentsOfText(wholeText(read, path), path).documents;
  } finally {
    await handle.close();
  }
}

/**
 * The file's text a block at a time. Most exports are ASCII: such a block is copied into a
 * one-byte string without UTF-8 decoding. A character cut by a block's end waits for the next.
 * Bytes that are not UTF-8 become U+FFFD (as the decoder makes them) and are reported to `invalid`.
 */
async function* fileTexts(handle: FileHandle, path: string, blockBytes: number, invalid: InvalidUtf8): AsyncGenerator<string> {
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
    if (whole > 0) {
      if (isAscii(block)) yield block.toString('latin1');
      else {
        if (!isUtf8(block)) invalid.found(block);
        yield block.toString('utf8');
      }
      invalid.passed(block);
    }
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

/**
 * Reports bytes of a file that are not UTF-8: each such byte is read as U+FFFD (the decoder's
 * replacement character) and the rest of its line is kept, so the import goes on; the first line
 * at fault is named in a warning, and how many more lines are. Lines are counted over every block
 * read (a newline count per block, only so the line can be named).
 */
class InvalidUtf8 {
  private linesBefore = 0;
  private firstLine: number | undefined;
  private readonly lines = new Set<number>();

  constructor(
    private readonly path: string,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {}

  /** A block that is not valid UTF-8 (called before `passed` for it). */
  found(block: Buffer): void {
    let line = this.linesBefore + 1;
    let counted = 0;
    for (const offset of invalidOffsets(block)) {
      for (let nl = block.indexOf(10, counted); nl !== -1 && nl < offset; nl = block.indexOf(10, nl + 1)) {
        line++;
        counted = nl + 1;
      }
      this.firstLine ??= line;
      this.lines.add(line);
    }
  }

  /** Counts a block's lines. */
  passed(block: Buffer): void {
    for (let nl = block.indexOf(10); nl !== -1; nl = block.indexOf(10, nl + 1)) this.linesBefore++;
  }

  end(): void {
    if (this.firstLine === undefined || !this.onWarning) return;
    const more = this.lines.size - 1;
    this.onWarning(
      `${this.path}:${this.firstLine}: invalid UTF-8: each byte that is not UTF-8 is read as U+FFFD (the replacement character) and the rest is imported as it is${more > 0 ? `; ${more} more line(s) have invalid UTF-8` : ''}`,
    );
  }
}

/** The offsets where a sequence that is not UTF-8 starts (overlong forms, surrogates and values beyond U+10FFFF included). */
function invalidOffsets(b: Buffer): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let low = 0x80;
    let high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) low = 0xa0;
      if (c === 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) low = 0x90;
      if (c === 0xf4) high = 0x8f;
    }
    let ok = need > 0 && i + need < b.length;
    for (let k = 1; ok && k <= need; k++) {
      const next = b[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) ok = false;
    }
    if (ok) i += need + 1;
    else {
      out.push(i);
      i++;
    }
  }
  return out;
}
