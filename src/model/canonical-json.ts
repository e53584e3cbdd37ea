/**
 * JSON text of values that may nest as deeply as their source did, written without recursion (a
 * recursive writer, like JSON.stringify, runs out of stack on input nested thousands deep) and
 * taking `bigint` (an integer id beyond 2^53, kept exact by ingest) as its digits.
 */

/**
 * JSON with object keys sorted at every level and undefined members left out: the same value always
 * gives the same text. The order is that of an object built with its keys inserted sorted (array-index
 * keys such as "2" and "10" first, in numeric order, then the rest sorted), the text this function has
 * always given, so hashes made of it earlier (the audit chain's) stay valid.
 */
export function canonicalJson(value: unknown): string {
  return writeJson(value, 'canonical');
}

/**
 * JSON with object keys in plain sorted order (code unit order, array-index keys included) at every
 * level: the text ingest's stableHash has always hashed, so keys made of it earlier stay valid.
 */
export function sortedKeysJson(value: unknown): string {
  return writeJson(value, 'sorted');
}

/**
 * JSON text of a value as JSON.stringify would write it, with bigints as their digits: JSON.stringify
 * itself when it can (fast, native), else the same text written without recursion.
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return writeJson(value, 'source');
  }
}

/** A container being written: its remaining members and whether one was written yet. */
interface Frame {
  close: string;
  /** Array elements, or object keys. */
  keys: readonly string[] | null;
  items: readonly unknown[] | Record<string, unknown>;
  next: number;
  wrote: boolean;
}

/** Key order: as the object has them, sorted, or sorted as an object built in sorted order lists them. */
type KeyOrder = 'source' | 'sorted' | 'canonical';

/** An array index as an object key: such keys come first in an object's own order, numerically. */
const INDEX_KEY = /^(0|[1-9]\d{0,9})$/;

function ordered(keys: string[], order: KeyOrder): string[] {
  if (order === 'source') return keys;
  keys.sort();
  if (order === 'sorted') return keys;
  const index = keys.filter((k) => INDEX_KEY.test(k) && Number(k) < 4294967295);
  if (index.length === 0) return keys;
  const indexSet = new Set(index);
  return [...index.sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !indexSet.has(k))];
}

/**
 * Writes a value as JSON.stringify does (toJSON called, undefined/functions/symbols left out of
 * objects and null in arrays, non-finite numbers null), keys in `order`, bigints as digits, with an
 * explicit stack.
 */
function writeJson(root: unknown, order: KeyOrder): string {
  const parts: string[] = [];
  const stack: Frame[] = [];
  const open = (value: unknown, inArray: boolean): void => {
    const v = prepare(value);
    if (v === undefined) {
      if (inArray) parts.push('null');
      return;
    }
    if (v === null || typeof v !== 'object') {
      parts.push(scalar(v));
      return;
    }
    if (Array.isArray(v)) {
      parts.push('[');
      stack.push({ close: ']', keys: null, items: v, next: 0, wrote: false });
      return;
    }
    const record = v as Record<string, unknown>;
    const keys = ordered(Object.keys(record), order);
    parts.push('{');
    stack.push({ close: '}', keys, items: record, next: 0, wrote: false });
  };
  open(root, true);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.keys === null) {
      const items = frame.items as readonly unknown[];
      if (frame.next >= items.length) {
        parts.push(frame.close);
        stack.pop();
        continue;
      }
      if (frame.wrote) parts.push(',');
      frame.wrote = true;
      open(items[frame.next++], true);
      continue;
    }
    const record = frame.items as Record<string, unknown>;
    let key: string | undefined;
    let member: unknown;
    while (frame.next < frame.keys.length) {
      const k = frame.keys[frame.next++]!;
      const m = prepare(record[k]);
      if (m !== undefined) {
        key = k;
        member = m;
        break;
      }
    }
    if (key === undefined) {
      parts.push(frame.close);
      stack.pop();
      continue;
    }
    parts.push(`${frame.wrote ? ',' : ''}${JSON.stringify(key)}:`);
    frame.wrote = true;
    open(member, false);
  }
  return parts.join('');
}

/** A value as JSON.stringify sees it: toJSON applied; undefined for what it leaves out. */
function prepare(value: unknown): unknown {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: () => unknown }).toJSON();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  return v;
}

function scalar(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  return JSON.stringify(v) ?? 'null';
}
