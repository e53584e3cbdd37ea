/** Escaping for every text that came from an incident or a user. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string | null | undefined): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Makes untrusted text inert in Markdown: HTML is turned into entities (so `<script>` shows as
 * text in any renderer) and Markdown's control characters are backslash-escaped. Newlines become
 * spaces unless `multiline` is set; table cells never contain raw newlines or pipes.
 */
export function escapeMarkdown(text: string | null | undefined, options: { multiline?: boolean } = {}): string {
  let s = String(text ?? '')
    // An ampersand only needs escaping where it would start an entity (`&lt;`, `&#60;`).
    .replace(/&(?=#?[a-zA-Z0-9]+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // Characters that start emphasis, code, links, images, tables or strikethrough anywhere in a line.
    .replace(/([\\`*_[\]|~])/g, '\\$1')
    // Characters that start headings, lists or quotes only at the start of a line.
    .replace(/^(\s*)([#+\-=])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
  s = options.multiline ? s.replace(/\r\n?/g, '\n').replace(/\n/g, '  \n') : s.replace(/\s*[\r\n]+\s*/g, ' ');
  return s;
}

/** Inline code span that cannot be broken out of. */
export function markdownCode(text: string): string {
  const longest = Math.max(0, ...[...String(text).matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const padded = /^`|`$/.test(text) ? ` ${text} ` : text;
  return `${fence}${padded.replace(/[\r\n]+/g, ' ')}${fence}`;
}
