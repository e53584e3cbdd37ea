/**
 * Hindsight's one reversible escape for text a database cannot hold. PostgreSQL refuses U+0000 in
 * `text`, and a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair) is not a character at all
 * (it cannot be encoded in UTF-8); SQLite would keep the first and mangle the second. So, on both
 * databases alike, such a code unit is written as the marker `␀` (U+2400 SYMBOL FOR NULL) followed
 * by its four lower-case hex digits: U+0000 becomes `␀0000`, a lone U+D800 `␀d800`. The marker itself,
 * when the source had it, becomes `␀2400`. Every `␀` in an escaped string is thus followed by four
 * hex digits, and unescapeText gives back exactly the source's string.
 */
export const ESCAPE_MARKER = '\u2400';

/** Whether a string holds anything escapeText would change (native checks: cheap for the usual string). */
export function needsEscape(s: string): boolean {
  return s.includes('\u0000') || s.includes(ESCAPE_MARKER) || !(s as WellFormedCheck).isWellFormed();
}

/** String.prototype.isWellFormed (Node 20; TypeScript lists it from the ES2024 library on). */
type WellFormedCheck = string & { isWellFormed(): boolean };

/** The string with U+0000, lone surrogates and the marker escaped (see above); other strings as they are. */
export function escapeText(s: string): string {
  if (!needsEscape(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    out += c === 0 || c === 0x2400 || (c >= 0xd800 && c <= 0xdfff) ? ESCAPE_MARKER + c.toString(16).padStart(4, '0') : s[i]!;
  }
  return out;
}

/** The source's string back from an escaped one. */
export function unescapeText(s: string): string {
  if (!s.includes(ESCAPE_MARKER)) return s;
  return s.replace(/\u2400([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
