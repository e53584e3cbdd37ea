import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown, markdownCode } from '../../src/export/escape.js';

describe('escaping', () => {
  it('makes markup inert in HTML', () => {
    expect(escapeHtml('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeHtml(`"a" & 'b'`)).toBe('&quot;a&quot; &amp; &#39;b&#39;');
    expect(escapeHtml(null)).toBe('');
  });

  it('makes markup and Markdown syntax inert in Markdown', () => {
    const s = escapeMarkdown('<script>alert(1)</script> | **bold** [x](javascript:y)');
    expect(s).not.toContain('<script>');
    expect(s).toContain('&lt;script&gt;');
    expect(s).toContain('\\|');
    expect(s).toContain('\\*\\*bold\\*\\*');
    expect(s).toContain('\\[x\\](javascript:y)');
    expect(escapeMarkdown('# not a heading')).toBe('\\# not a heading');
    expect(escapeMarkdown('1. not a list')).toBe('1\\. not a list');
    expect(escapeMarkdown('AT&T &lt;b&gt;')).toBe('AT&T &amp;lt;b&amp;gt;');
    expect(escapeMarkdown('a\nb')).toBe('a b');
    expect(escapeMarkdown('a\nb', { multiline: true })).toBe('a  \nb');
  });

  it('fences code spans longer than any backtick run inside', () => {
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('plain')).toBe('`plain`');
  });
});
