import { Where } from './fields.js';

/**
 * The limits on one JSON document (docs/import.md, "Limits").
 *
 * Depth: 512 levels of objects and arrays. Microsoft's incidents nest about 8 deep (incident,
 * alerts, evidence, fileDetails, ...); 512 leaves room for any real export while keeping every
 * walker of a record (the lossless parser of big ids, zod, the content hash, the raw JSON
 * written back) far inside Node's stack, which a recursive walker exhausts at a few thousand levels.
 * The check itself scans the text without recursion, so no depth can crash it.
 */
export const MAX_DEPTH = 512;

/**
 * One NDJSON line (one record) may hold at most 64 M characters: a line is held whole while it is
 * parsed, and the largest real record (an incident with thousands of alerts expanded) is a few MB.
 * A whole JSON document is bounded by the largest string Node can hold (about 512 M characters);
 * larger exports are read as NDJSON, a block at a time.
 */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

/**
 * Throws InputError (naming the file, line and JSON path of the first container too deep) when a
 * JSON text nests objects and arrays deeper than `limit`. Fast for the usual record: only a text
 * with more than `limit` brackets at all is scanned character by character.
 */
export function checkDepth(text: string, where: Where, limit = MAX_DEPTH): void {
  if (!bracketsExceed(text, limit)) return;
  const at = tooDeepAt(text, limit);
  if (at) at.where(where).fail(`JSON nested deeper than ${limit} levels (the limit; see docs/import.md)`);
}

/** Whether the text holds more than `limit` opening brackets, inside strings or out (an upper bound of its depth). */
function bracketsExceed(text: string, limit: number): boolean {
  let n = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) if (++n > limit) return true;
  }
  return false;
}

/**
 * The path of the first container nested deeper than `limit`, by one pass over the text with an
 * explicit stack (strings skipped; each object level keeps where its current key is, each array
 * level its index).
 */
function tooDeepAt(text: string, limit: number): { where: (root: Where) => Where } | undefined {
  const isObject: boolean[] = [];
  const index: number[] = [];
  const keyStart: number[] = [];
  const keyEnd: number[] = [];
  const expectKey: boolean[] = [];
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = stringEnd(text, i);
      const top = depth - 1;
      if (top >= 0 && isObject[top] && expectKey[top]) {
        keyStart[top] = i;
        keyEnd[top] = end + 1;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      if (depth === limit) {
        const levels = depth;
        return { where: (root) => pathOf(root, text, levels, isObject, index, keyStart, keyEnd) };
      }
      isObject[depth] = c === 123;
      index[depth] = 0;
      keyStart[depth] = -1;
      keyEnd[depth] = -1;
      expectKey[depth] = c === 123;
      depth++;
    } else if (c === 125 || c === 93) {
      if (depth > 0) depth--;
    } else if (c === 44 && depth > 0) {
      if (isObject[depth - 1]) expectKey[depth - 1] = true;
      else index[depth - 1]!++;
    } else if (c === 58 && depth > 0) expectKey[depth - 1] = false;
  }
  return undefined;
}

/** The offset of the quote that ends the string opening at `start` (or the text's end). */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    j = text.indexOf('"', j);
    if (j === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return j;
    j++;
  }
}

/** How many steps of a too-deep path are shown at its start and at its end. */
const SHOWN_STEPS = 6;

/** The path to the container at `levels` (the steps from the root through each open container), shortened in the middle. */
function pathOf(root: Where, text: string, levels: number, isObject: boolean[], index: number[], keyStart: number[], keyEnd: number[]): Where {
  const steps: ((w: Where) => Where)[] = [];
  for (let level = 0; level < levels; level++) {
    if (isObject[level]) {
      const start = keyStart[level]!;
      let key = '?';
      try {
        if (start >= 0) key = String(JSON.parse(text.slice(start, keyEnd[level])));
      } catch {
        // A key that is not valid JSON text is shown as '?': the syntax error is reported elsewhere.
      }
      steps.push((w) => w.key(key));
    } else {
      const i = index[level]!;
      steps.push((w) => w.index(i));
    }
  }
  let where = root;
  if (steps.length <= 2 * SHOWN_STEPS) {
    for (const step of steps) where = step(where);
    return where;
  }
  for (const step of steps.slice(0, SHOWN_STEPS)) where = step(where);
  let tail = new Where(root.file, '', root.line);
  for (const step of steps.slice(-SHOWN_STEPS)) tail = step(tail);
  return new Where(root.file, `${where.path}...(${levels - 2 * SHOWN_STEPS} more levels)...${tail.path}`, root.line);
}
