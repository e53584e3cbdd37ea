/**
 * Text from evidence or a partner's file, safe to print on a terminal: control characters (which
 * could move the cursor, clear the screen or forge lines) are shown as escapes (`\n`, `\u001b`).
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
