/**
 * The source's own text of a parsed record, where ingest still has it: an NDJSON line is the exact
 * JSON of its record, so the store keeps that text as the record's raw JSON instead of serialising
 * the parsed object again (the same value, and the bytes the source sent). Keyed by the parsed
 * object, so the text lives exactly as long as the record does.
 */
const sourceTexts = new WeakMap<object, string>();

/** Remembers `text` as the JSON text `value` was parsed from. */
export function rememberSourceText(value: object, text: string): void {
  sourceTexts.set(value, text);
}

/** The raw JSON text of a record: the source's own text when remembered, else its serialisation; null for no raw. */
export function rawJsonText(raw: unknown): string | null {
  if (raw === undefined) return null;
  if (typeof raw === 'object' && raw !== null) {
    const text = sourceTexts.get(raw);
    if (text !== undefined) return text;
  }
  return JSON.stringify(raw);
}
