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
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1');
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
