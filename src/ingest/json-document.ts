import { parse as parseLossless } from 'lossless-json';
import { isRecord } from '../model/json.js';
import { escapeText, needsEscape } from '../model/text-escape.js';
import type { Where } from './fields.js';
import { checkDepth } from './json-limits.js';

/**
 * A number literal starting with 16 digits or more (after `:`, `[` or `,`): the only integers
 * JSON.parse can round (2^53 has 16 digits). Digits inside a string rarely follow one of those
 * characters (Defender's alert ids, `da637551227677560813_...`, do not), and a match inside a string
 * is only a false alarm that costs the exact parse below.
 */
const LONG_INTEGER = /[:,[]\s*-?\d{16}/;

/**
 * Source text that may decode to a string escapeText changes: a `\u0000`, `\u2400` or surrogate
 * escape, or the marker itself. (A literal lone surrogate cannot come from UTF-8 but can from a
 * caller's string; isWellFormed catches it.)
 */
const ESCAPABLE = /\\u(?:0000|2400|[dD][89a-fA-F])|\u2400/;

/**
 * The value of one JSON document (a whole file, or one NDJSON line) that JSON.parse has already
 * read, made safe for everything after ingest:
 * - nesting deeper than MAX_DEPTH is refused (InputError naming the path), scanning the text
 *   without recursion (JSON.parse itself copes with any depth; our walkers must not meet it);
 * - a text with a long integer literal is parsed again exactly: integers beyond 2^53 become
 *   `bigint`, so ids keep every digit (fields.ts turns them into their digits);
 * - strings (values and keys) holding U+0000, a lone surrogate or the escape marker are escaped
 *   (model/text-escape.ts), so both databases store them and the source's text can be had back.
 * The common document (no long integer, nothing to escape) costs two native regex tests and a
 * count of brackets.
 */
export function documentValue(text: string, parsed: unknown, where: Where): unknown {
  checkDepth(text, where);
  let value = LONG_INTEGER.test(text) ? parseExact(text) : parsed;
  if (ESCAPABLE.test(text) || !(text as string & { isWellFormed(): boolean }).isWellFormed()) value = escapeStrings(value);
  return value;
}

/**
 * JSON text parsed with integers beyond 2^53 as bigint (others as numbers, like JSON.parse); a
 * repeated key keeps its last value, as JSON.parse does. Called only on text JSON.parse accepted
 * and checkDepth bounded (the exact parser recurses).
 */
export function parseExact(text: string): unknown {
  return parseLossless(text, undefined, { parseNumber: exactNumber, onDuplicateKey: ({ newValue }) => newValue });
}

function exactNumber(digits: string): number | bigint {
  const n = Number(digits);
  if (Number.isSafeInteger(n) || !/^-?\d+$/.test(digits)) return n;
  return BigInt(digits);
}

/**
 * Escapes every string of a parsed value (object keys too), walking it with an explicit stack.
 * Arrays and objects are changed in place; an object with a key to escape is rebuilt (key order kept).
 */
function escapeStrings(root: unknown): unknown {
  if (typeof root === 'string') return escapeText(root);
  const top = rebuilt(root);
  const stack: unknown[] = [top];
  while (stack.length > 0) {
    const container = stack.pop();
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const v: unknown = container[i];
        if (typeof v === 'string') container[i] = escapeText(v);
        else if (v !== null && typeof v === 'object') stack.push((container[i] = rebuilt(v)));
      }
    } else if (isRecord(container)) {
      for (const key of Object.keys(container)) {
        const v = container[key];
        if (typeof v === 'string') container[key] = escapeText(v);
        else if (v !== null && typeof v === 'object') stack.push((container[key] = rebuilt(v)));
      }
    }
  }
  return top;
}

/** The object itself, or (when a key needs escaping) a copy with escaped keys in the same order. */
function rebuilt(value: unknown): unknown {
  if (!isRecord(value) || !Object.keys(value).some(needsEscape)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) Object.defineProperty(out, escapeText(key), { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
