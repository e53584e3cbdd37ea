/**
 * The readers every mapper uses for a source record's fields. Each takes a `Where` so a bad value
 * is refused with its file, line and JSON path (InputError, exit 2).
 *
 * THE ID RULE. An id is a string or an integer, read exactly as the source wrote it: ingest parses
 * any text holding an integer literal of 16 digits or more exactly (json-document.ts), so an
 * integer beyond 2^53 arrives as a `bigint` and becomes its own digits; 9007199254740992 and
 * 9007199254740993 stay two ids. Read ids with `reqId`/`optId`: a fraction (`1.5`), a number JSON
 * cannot carry exactly (`1e400`, `1e16`), a boolean, an object or an array is refused. `optString`
 * and `reqString` are safe for ids too (bigints give their digits; a rounded or infinite number is
 * refused), but only reqId/optId refuse fractions and booleans.
 *
 * Strings arrive with U+0000, lone surrogates and the escape marker already escaped
 * (model/text-escape.ts); mappers need not care.
 */
import { createHash } from 'node:crypto';
import { sortedKeysJson } from '../model/canonical-json.js';
import { InputError } from '../model/errors.js';
import { normaliseEnum } from '../model/enums.js';
import { isRecord, type JsonObject } from '../model/json.js';

export type { JsonObject } from '../model/json.js';

/** Path steps of property names already seen (`.createdDateTime`, `["@odata.type"]`). */
const STEPS = new Map<string, string>();

/**
 * Where a value sits in the input: the file, the NDJSON line (if any) and the JSON path from the
 * document's root. Every reader takes one so an error can name exactly what is wrong.
 */
export class Where {
  constructor(
    readonly file: string,
    readonly path: string = '$',
    readonly line?: number,
  ) {}

  key(name: string): Where {
    let step = STEPS.get(name);
    if (step === undefined) {
      step = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
      if (STEPS.size < 10_000) STEPS.set(name, step);
    }
    return new Where(this.file, this.path + step, this.line);
  }

  index(i: number): Where {
    return new Where(this.file, `${this.path}[${i}]`, this.line);
  }

  /** The JSON path as shown to a person: `$.value[3].createdDateTime` or `line 7: $.evidence[2]`. */
  get shownPath(): string {
    return this.line === undefined ? this.path : `line ${this.line}: ${this.path}`;
  }

  fail(reason: string): never {
    throw new InputError(reason, { file: this.file, path: this.shownPath });
  }
}

/** Reads a property by exact name, then case-insensitively (Microsoft's docs spell some in PascalCase). */
export function prop(obj: JsonObject, name: string): { value: unknown; name: string } {
  if (name in obj) return { value: obj[name], name };
  const lower = name.toLowerCase();
  // Only keys of the same length can match case-insensitively: skip the others without lower-casing them.
  for (const k of Object.keys(obj)) if (k.length === lower.length && k.toLowerCase() === lower) return { value: obj[k], name: k };
  return { value: undefined, name };
}

/**
 * A string property (numbers and booleans are accepted and turned into strings; a bigint gives its
 * exact digits); null/undefined/blank -> null. An integer JSON could not carry exactly (beyond
 * 2^53 yet not a bigint, so rounded, or infinite) is refused rather than stored rounded.
 */
export function optString(obj: JsonObject, name: string, where: Where): string | null {
  const { value, name: key } = prop(obj, name);
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return where.key(key).fail(inexact(value));
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  return where.key(key).fail(`expected a string, got ${describe(value)}`);
}

export function reqString(obj: JsonObject, name: string, where: Where): string {
  const value = optString(obj, name, where);
  if (value === null) return where.key(prop(obj, name).name).fail(`required field "${name}" is missing`);
  return value;
}

/** An id (see the id rule above): a non-blank string as given, or an integer's exact digits; null/undefined/blank -> null. */
export function optId(obj: JsonObject, name: string, where: Where): string | null {
  const { value, name: key } = prop(obj, name);
  return idOf(value, where.key(key));
}

export function reqId(obj: JsonObject, name: string, where: Where): string {
  const id = optId(obj, name, where);
  if (id === null) return where.key(prop(obj, name).name).fail(`required field "${name}" is missing`);
  return id;
}

/** A value read as an id (null for none), refused unless a string or an exactly known integer. */
export function idOf(value: unknown, at: Where): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return String(value);
    return at.fail(Number.isInteger(value) || !Number.isFinite(value) ? inexact(value) : `an id must be a string or an integer, got number ${String(value)}`);
  }
  return at.fail(`an id must be a string or an integer, got ${describe(value)}`);
}

function inexact(value: number): string {
  if (!Number.isFinite(value)) return `the number is out of range (it reads as ${String(value)}): write it as an integer or a string`;
  return `the number ${String(value)} is beyond 2^53 and not written as an integer, so it cannot be read exactly: write it as an integer or a string`;
}

/**
 * An enum property: a string is normalised (known spellings canonical, unknown values kept as
 * given, since sources add values); a number, or a string of digits, is mapped by `codes` (the
 * source's documented numeric codes) and refused without one; any other type is refused. So a
 * severity of `5` is never stored as "5" ranking below every real one.
 */
export function optEnum(obj: JsonObject, name: string, known: readonly string[], where: Where, codes?: Readonly<Record<string, string>>): string | null {
  const { value, name: key } = prop(obj, name);
  if (value === null || value === undefined) return null;
  let code: string | undefined;
  if (typeof value === 'number' || typeof value === 'bigint') code = String(value);
  else if (typeof value === 'string') {
    if (!/^\s*-?\d+\s*$/.test(value)) return normaliseEnum(value, known);
    code = value.trim();
  } else return where.key(key).fail(`expected one of ${knownList(known)}, got ${describe(value)}`);
  const mapped = codes?.[code];
  if (mapped !== undefined) return mapped;
  return where.key(key).fail(`expected one of ${knownList(known)}${codes ? ` or a code ${Object.keys(codes).join(', ')}` : ''}, got ${describe(value)}`);
}

function knownList(known: readonly string[]): string {
  return known.filter((k) => k !== 'unknownFutureValue').join(', ');
}

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses a time to UTC ISO-8601 with milliseconds; times without an offset are UTC (as Defender's are). */
export function parseTime(value: string): string | null {
  const canonical = canonicalUtc(value);
  if (canonical !== undefined) return canonical;
  const text = value.trim();
  const m = ISO_LIKE.exec(text);
  if (!m) return null;
  if (!realDate(text)) return null;
  let normal = text.replace(' ', 'T');
  if (m[1] && !m[4]) normal += 'Z';
  // More than millisecond precision (Graph gives seven digits): trim for parsers that refuse it.
  normal = normal.replace(/(\.\d{3})\d+/, '$1');
  const date = new Date(normal);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether an ISO-like text's date and time fields name a real moment: Date rolls `2026-02-30` over
 * to March 2 and `T24:00` to the next day, which would store a time the source never gave.
 */
function realDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/i.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0)) return false;
  return m[4] === undefined || (Number(m[4]) <= 23 && Number(m[5]) <= 59 && (m[6] === undefined || Number(m[6]) <= 59));
}
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * The fast path of parseTime for the form sources nearly always use, `YYYY-MM-DDTHH:MM:SS[.f+]Z`
 * with every field in range: the result is built from the text itself (fraction cut or padded to
 * milliseconds), exactly what Date would give. Anything else (offsets, spaces, out-of-range fields
 * Date rolls over or rejects) returns undefined and takes the general path.
 */
function canonicalUtc(v: string): string | undefined {
  const n = v.length;
  if (n < 20 || v.charCodeAt(n - 1) !== 90 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) {
    return undefined;
  }
  for (const i of DIGIT_POSITIONS) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const two = (i: number) => (v.charCodeAt(i) - 48) * 10 + v.charCodeAt(i + 1) - 48;
  const year = two(0) * 100 + two(2);
  const month = two(5);
  const day = two(8);
  if (month < 1 || month > 12 || day < 1 || two(11) > 23 || two(14) > 59 || two(17) > 59) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0)) return undefined;
  if (n === 20) return `${v.slice(0, 19)}.000Z`;
  if (v.charCodeAt(19) !== 46 || n < 22) return undefined;
  for (let i = 20; i < n - 1; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  if (n === 24) return v;
  const fraction = v.slice(20, n - 1);
  return `${v.slice(0, 19)}.${fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0')}Z`;
}

export function optTime(obj: JsonObject, name: string, where: Where): string | null {
  const { value, name: key } = prop(obj, name);
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') return where.key(key).fail(`expected a date-time string, got ${describe(value)}`);
  const time = parseTime(value);
  if (time === null) return where.key(key).fail(`not a valid date-time: ${JSON.stringify(value)}`);
  return time;
}

export function reqTime(obj: JsonObject, name: string, where: Where): string {
  const time = optTime(obj, name, where);
  if (time === null) return where.key(prop(obj, name).name).fail(`required field "${name}" is missing`);
  return time;
}

/** An array property; null/undefined -> []. */
export function optArray(obj: JsonObject, name: string, where: Where): { items: unknown[]; where: Where } {
  const { value, name: key } = prop(obj, name);
  if (value === null || value === undefined) return { items: [], where: where.key(key) };
  if (!Array.isArray(value)) return where.key(key).fail(`expected an array, got ${describe(value)}`);
  return { items: value, where: where.key(key) };
}

/** An array of strings (non-strings are a schema error); blank entries are dropped. */
export function stringArray(obj: JsonObject, name: string, where: Where): string[] {
  const { items, where: at } = optArray(obj, name, where);
  const out: string[] = [];
  items.forEach((item, i) => {
    if (item === null || item === undefined) return;
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'bigint') at.index(i).fail(`expected a string, got ${describe(item)}`);
    const s = String(item).trim();
    if (s !== '') out.push(s);
  });
  return out;
}

export function objectAt(value: unknown, where: Where): JsonObject {
  if (!isRecord(value)) return where.fail(`expected an object, got ${describe(value)}`);
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'bigint') return `number ${value.toString()}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * A short, stable hash of a JSON value (object keys sorted), for identities of things without one.
 * The text is written without recursion (the same text the recursive writer before it gave for any
 * parsed JSON value, so stored keys stay valid).
 */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(sortedKeysJson(value)).digest('hex').slice(0, 16);
}

export function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
