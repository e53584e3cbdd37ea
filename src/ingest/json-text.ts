import { InputError } from '../model/errors.js';
import { lineAndColumn } from '../model/json.js';
import { Where } from './fields.js';
import { documentValue } from './json-document.js';
import { MAX_RECORD_CHARS } from './json-limits.js';
import { findSyntaxError } from './json-syntax.js';

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
  const { documents, ndjson } = documentsOfText(text, file);
  return { documents: [...documents], ndjson };
}

/**
 * Like readJsonDocuments, but an NDJSON text's lines are parsed one by one as the documents are
 * iterated, so a large text is never held as parsed objects all at once. A syntax error is thrown
 * when its line is reached (a whole-document syntax error at once).
 */
export function documentsOfText(text: string, file: string): { documents: Iterable<JsonDocument>; ndjson: boolean } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new InputError('the file is empty: expected JSON or NDJSON', { file, line: 1, column: 1 });
  let wholeError: unknown;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch (error) {
    wholeError = error;
  }
  if (wholeError === undefined) return { documents: [{ value: documentValue(body, parsed, new Where(file)) }], ndjson: false };
  const sniffer = new NdjsonSniffer();
  if (sniffer.feed(body) ?? sniffer.end()) {
    const lines = new NdjsonLines(file);
    return { documents: { *[Symbol.iterator]() { yield* lines.documents(body); yield* lines.end(); } }, ndjson: true };
  }
  throw syntaxError(body, file, 0, wholeError);
}

/**
 * Tells NDJSON from one JSON document by a text's beginning, fed a piece at a time: NDJSON when
 * the first non-blank line is a complete JSON object and something non-blank follows it. Reads
 * only as far as that takes; a first line longer than `limit` characters is not NDJSON.
 */
export class NdjsonSniffer {
  private state: 'lead' | 'line' | 'after' = 'lead';
  private started = false;
  private line = '';
  private length = 0;
  private answer: boolean | undefined;

  constructor(private readonly limit = 64 * 1024 * 1024) {}

  /** Takes the next piece of text: the answer once the text so far decides it, else undefined. */
  feed(text: string): boolean | undefined {
    if (this.answer !== undefined) return this.answer;
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.state === 'lead') {
      i = skipBlank(text, i);
      if (i >= text.length) return undefined;
      if (text.charCodeAt(i) !== 0x7b) return (this.answer = false);
      this.state = 'line';
    }
    if (this.state === 'line') {
      const end = text.indexOf('\n', i);
      this.line += end < 0 ? text.slice(i) : text.slice(i, end);
      if (end < 0) {
        this.length += text.length - i;
        return this.length > this.limit ? (this.answer = false) : undefined;
      }
      this.state = 'after';
      i = end + 1;
    }
    if (skipBlank(text, i) >= text.length) return undefined;
    try {
      JSON.parse(this.line);
      this.answer = true;
    } catch {
      this.answer = false;
    }
    this.line = '';
    return this.answer;
  }

  /** The answer at the end of the text: a text that never decided is not NDJSON. */
  end(): boolean {
    return this.answer ?? false;
  }
}

/**
 * The documents of NDJSON text that arrives a piece at a time (blocks of a file, or one whole
 * text). Lines end at `\n` (a `\r` before it is dropped); blank lines are skipped but counted; a
 * byte-order mark before the first line is dropped. A line cut by the end of a piece waits for the
 * next one. A syntax error throws InputError naming the file, line and column.
 */
export class NdjsonLines {
  private carry = '';
  private index = 0;

  constructor(
    private readonly file: string,
    /** The longest line taken (the record size limit). */
    private readonly maxChars = MAX_RECORD_CHARS,
  ) {}

  /** The documents of the complete lines so far, parsed one by one as they are iterated. */
  *documents(piece: string): Generator<JsonDocument> {
    const text = this.carry + piece;
    this.carry = '';
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end < 0) break;
      const document = this.lineDocument(text, start, end);
      if (document) yield document;
      start = end + 1;
    }
    this.carry = text.slice(start);
    // A line that never ends is refused before it fills memory.
    if (this.carry.length > this.maxChars) throw tooLong(this.file, this.index + 1, this.maxChars);
  }

  /** The last line, which needs no line end. */
  *end(): Generator<JsonDocument> {
    const text = this.carry;
    this.carry = '';
    if (text === '') return;
    const document = this.lineDocument(text, 0, text.length);
    if (document) yield document;
  }

  private lineDocument(text: string, start: number, end: number): JsonDocument | undefined {
    const index = this.index++;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const first = index === 0 && text.charCodeAt(start) === 0xfeff ? start + 1 : start;
    if (isBlank(text, first, stop)) return undefined;
    if (stop - first > this.maxChars) throw tooLong(this.file, index + 1, this.maxChars);
    const line = text.slice(first, stop);
    return { value: parseLine(line, this.file, index), line: index + 1, text: line };
  }
}

function tooLong(file: string, line: number, limit: number): InputError {
  return new InputError(`the line is longer than ${limit.toLocaleString('en-US')} characters (the limit for one record; see docs/import.md)`, { file, line });
}

/** One NDJSON line's value; a syntax error names the file, the line (0-based `index`) and column. */
function parseLine(line: string, file: string, index: number): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line) as unknown;
  } catch (error) {
    throw syntaxError(line, file, index, error);
  }
  return documentValue(line, parsed, new Where(file, '$', index + 1));
}

/** The first position at or after `from` that is not blank (String.prototype.trim's whitespace). */
function skipBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length && isBlank(text, i, i + 1)) i++;
  return i;
}

/** Whether text[start, stop) is blank as String.prototype.trim sees it (ASCII checked inline, the rest by trim). */
function isBlank(text: string, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    return c < 128 ? false : text.slice(i, stop).trim() === '';
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
