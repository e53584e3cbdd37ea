import { open } from 'node:fs/promises';
import { isAscii } from 'node:buffer';
import { InputError } from '../model/errors.js';

/** One top-level JSON document of a file: the whole file, or one line of an NDJSON file. */
export interface JsonDocument {
  value: unknown;
  /** 1-based line of an NDJSON record; undefined for a whole-file document. */
  line?: number;
  /** The line's own JSON text (NDJSON only). */
  text?: string;
}

/**
 * Reads a file's text as one JSON document or as NDJSON (one JSON value per line, blank lines
 * allowed). A syntax error throws InputError with the file, line and column at fault.
 */
export function readJsonDocuments(text: string, file: string): { documents: JsonDocument[]; ndjson: boolean } {
  const { documents, ndjson } = iterateJsonDocuments(text, file);
  return { documents: [...documents], ndjson };
}

/**
 * Like readJsonDocuments, but an NDJSON file's lines are parsed one by one as the documents are
 * iterated, so a large file is never held as parsed objects all at once. A syntax error is thrown
 * when its line is reached (a whole-document syntax error at once).
 */
export function iterateJsonDocuments(text: string, file: string): { documents: Iterable<JsonDocument>; ndjson: boolean } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new InputError('the file is empty: expected JSON or NDJSON', { file, line: 1, column: 1 });
  let wholeError: unknown;
  try {
    return { documents: [{ value: JSON.parse(body) as unknown }], ndjson: false };
  } catch (error) {
    wholeError = error;
  }
  if (looksLikeNdjson(body)) return { documents: readNdjson(body, file), ndjson: true };
  throw syntaxError(body, file, 0, wholeError);
}

/**
 * Whether a file is NDJSON, by its beginning: its first non-blank line is a complete JSON object and
 * something follows it (the same rule readJsonDocuments applies to a whole text). Reads only as far
 * as the end of that line (at most `limit` bytes).
 */
export async function fileLooksLikeNdjson(path: string, limit = 64 * 1024 * 1024): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    let position = 0;
    const chunk = Buffer.alloc(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return false;
      position += bytesRead;
      chunks.push(Buffer.from(chunk.subarray(0, bytesRead)));
      length += bytesRead;
      const text = Buffer.concat(chunks, length).toString('utf8').replace(/^\uFEFF/, '');
      const start = text.search(/\S/);
      if (start >= 0) {
        const end = text.indexOf('\n', start);
        if (end >= 0) {
          if (text[start] !== '{') return false;
          // Something must follow the first line: in this chunk, or further in the file.
          const rest = /\S/.test(text.slice(end)) || (await hasContentAfter(handle, position));
          if (!rest) return false;
          try {
            JSON.parse(text.slice(start, end));
            return true;
          } catch {
            return false;
          }
        }
      }
      if (length >= limit) return false;
    }
  } finally {
    await handle.close();
  }
}

async function hasContentAfter(handle: import('node:fs/promises').FileHandle, position: number): Promise<boolean> {
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) return false;
    if (/\S/.test(chunk.subarray(0, bytesRead).toString('latin1'))) return true;
    position += bytesRead;
  }
}

/**
 * The documents of an NDJSON file, read from disk a block at a time: the file is never held whole,
 * so exports larger than one string can hold import too. Each yield is the documents of the
 * complete lines of one block (about `blockBytes` of the file), so a consumer pays one await per
 * block rather than per line. Lines end at `\n` (a `\r` before it is dropped); blank lines are
 * skipped but counted. A syntax error throws InputError naming the file, line and column when its
 * block is reached.
 */
export async function* streamNdjsonBlocks(path: string, blockBytes = 4 * 1024 * 1024): AsyncGenerator<JsonDocument[]> {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(blockBytes);
  let carry = '';
  let index = 0;
  /** Bytes of a character cut by the end of the last block, kept at the start of the buffer. */
  let pending = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, pending, buffer.length - pending, null);
      const filled = pending + bytesRead;
      const done = bytesRead === 0;
      const whole = done ? filled : completeUtf8Length(buffer, filled);
      const block = buffer.subarray(0, whole);
      // Most exports are ASCII: such a block is copied into a one-byte string without decoding.
      const text = carry + (isAscii(block) ? block.toString('latin1') : block.toString('utf8'));
      buffer.copy(buffer, 0, whole, filled);
      pending = filled - whole;
      const documents: JsonDocument[] = [];
      let start = 0;
      for (;;) {
        let end = text.indexOf('\n', start);
        if (end < 0) {
          // An unfinished line waits for the next block; the file's last line needs no line end.
          if (!done || start >= text.length) break;
          end = text.length;
        }
        const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        const first = index === 0 && text.charCodeAt(start) === 0xfeff ? start + 1 : start;
        if (!isBlank(text, first, stop)) {
          const line = text.slice(first, stop);
          documents.push({ value: parseLine(line, path, index), line: index + 1, text: line });
        }
        index++;
        start = end + 1;
      }
      carry = done ? '' : text.slice(start);
      if (documents.length > 0) yield documents;
      if (done) return;
    }
  } finally {
    await handle.close();
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

/** NDJSON when the first non-blank line is a complete JSON object and more lines follow. */
function looksLikeNdjson(body: string): boolean {
  const nonBlank = nonBlankLines(body);
  const first = nonBlank.next();
  if (first.done) return false;
  if (nonBlank.next().done) return false;
  const text = first.value.trim();
  if (!text.startsWith('{')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The non-blank lines of `text` (without their line ends), found by scanning: no array of every line is built. */
function* nonBlankLines(text: string): Generator<string> {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (!isBlank(text, start, stop)) yield text.slice(start, stop);
    start = end + 1;
  }
}

function* readNdjson(body: string, file: string): Generator<JsonDocument> {
  let start = 0;
  let index = 0;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    const stop = end > start && body.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (!isBlank(body, start, stop)) {
      const line = body.slice(start, stop);
      yield { value: parseLine(line, file, index), line: index + 1, text: line };
    }
    start = end + 1;
    index++;
  }
}

/** One NDJSON line's value; a syntax error names the file, the line (0-based `index`) and column. */
function parseLine(line: string, file: string, index: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (error) {
    throw syntaxError(line, file, index, error);
  }
}

/** Whether body[start, stop) is blank as String.prototype.trim sees it (ASCII checked inline, the rest by trim). */
function isBlank(body: string, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) {
    const c = body.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    return c < 128 ? false : body.slice(i, stop).trim() === '';
  }
  return true;
}

/**
 * Builds the InputError for a JSON syntax error in `text`, which starts at 0-based line
 * `firstLine` of the file. Node 20 names the position only for some errors, so the position is
 * taken from the message when given and found by a small scanner otherwise.
 */
function syntaxError(text: string, file: string, firstLine: number, error: unknown): InputError {
  const message = error instanceof Error ? error.message : String(error);
  const scanned = findSyntaxError(text);
  const match = /at position (\d+)/.exec(message);
  const position = match ? Number(match[1]) : (scanned?.offset ?? text.length);
  const reason = scanned?.reason ?? message.replace(/ in JSON at position \d+.*$/, '');
  const { line, column } = lineAndColumn(text, position);
  return new InputError(`invalid JSON: ${reason}`, { file, line: firstLine + line, column });
}

export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(position, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** A minimal JSON scanner that reports the offset of the first syntax error (or undefined if none). */
export function findSyntaxError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw new ScanError(i, reason);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const describe = () => (i >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[i])}`);
  const str = () => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const n = text[i + 1];
        if (n === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in string');
          i += 6;
        } else if (n !== undefined && '"\\/bfnrt'.includes(n)) i += 2;
        else fail('invalid escape in string');
      } else if (c.charCodeAt(0) < 0x20) fail('control character in string');
      else i++;
    }
    fail('unterminated string');
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail(describe());
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a double-quoted property name, ${describe()}`);
        str();
        ws();
        if (text[i] !== ':') fail(`expected ':' after property name, ${describe()}`);
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected ',' or '}' after property value, ${describe()}`);
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected ',' or ']' after array element, ${describe()}`);
      }
    } else if (c === '"') str();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) num();
    else {
      for (const word of ['true', 'false', 'null']) {
        if (text.startsWith(word, i)) {
          i += word.length;
          return;
        }
      }
      fail(describe());
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected content after the JSON value: ${JSON.stringify(text[i])}`);
    return undefined;
  } catch (error) {
    if (error instanceof ScanError) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}

class ScanError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}
