import type { AttackStory } from './attack-story.js';
import { layoutAttackStory, type PositionedNode, type StoryLayout } from './attack-story-layout.js';
import { escapeHtml } from './escape.js';

/**
 * The attack story as a standalone SVG image, for the HTML and PDF report: the same nodes, edges
 * and layered layout the web app shows. Every text is escaped and stripped of characters XML
 * cannot hold, so any incident text yields well-formed SVG.
 */

const COLOURS: Record<PositionedNode['kind'], { fill: string; stroke: string }> = {
  action: { fill: '#fdf2f2', stroke: '#8a1c1c' },
  asset: { fill: '#eef4fb', stroke: '#33658a' },
  observable: { fill: '#f5f6f8', stroke: '#5b6475' },
};

/** XML 1.0 forbids most control characters even as references: drop them, then escape. */
function xmlText(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[\ud800-\udfff]/g, (c, i: number, s: string) => {
    const code = c.charCodeAt(0);
    const pairNext = code < 0xdc00 && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    const pairPrev = code >= 0xdc00 && i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) < 0xdc00;
    return pairNext || pairPrev ? c : '';
  });
  const chars = [...clean];
  return escapeHtml(chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean);
}

export function renderAttackStorySvg(story: AttackStory): string {
  return storySvg(story, layoutAttackStory(story));
}

/** The picture, or the band `view` (top to bottom) of it. */
function storySvg(story: AttackStory, layout: StoryLayout, view?: { top: number; bottom: number }): string {
  const top = view?.top ?? 0;
  const height = view ? view.bottom - view.top : layout.height;
  const byKey = new Map(layout.nodes.map((n) => [n.key, n]));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${height}" viewBox="0 ${top} ${layout.width} ${height}" role="img" aria-label="${xmlText(`Attack story: ${story.title}`, 200)}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`,
    `<title>${xmlText(`Attack story: ${story.title}`, 200)}</title>`,
    '<defs><marker id="story-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a1c1c"/></marker></defs>',
    `<rect x="0" y="${top}" width="${layout.width}" height="${height}" fill="#ffffff"/>`,
  );
  for (const lane of layout.lanes) {
    parts.push(`<rect x="8" y="${lane.y - 6}" width="${layout.width - 16}" height="${lane.height + 12}" rx="6" fill="#fafafb" stroke="#eceef2"/>`);
    parts.push(`<text x="20" y="${lane.y + lane.height / 2 + 4}" font-size="12" font-weight="600" fill="#5b6475">${xmlText(lane.name, 20)}</text>`);
  }
  for (const e of layout.edges) {
    const s = byKey.get(e.source);
    const t = byKey.get(e.target);
    if (!s || !t) continue;
    if (e.kind === 'next') {
      if (t.x > s.x) {
        const x1 = s.x + s.width;
        const y1 = s.y + s.height / 2;
        const x2 = t.x;
        const y2 = t.y + t.height / 2;
        const mid = (x1 + x2) / 2;
        parts.push(`<path d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}" fill="none" stroke="#8a1c1c" stroke-width="2" marker-end="url(#story-arrow)"/>`);
      } else {
        // The story continues on the next row: out of the right edge, back along the gap, into the next step.
        const x1 = s.x + s.width;
        const y1 = s.y + s.height / 2;
        const right = x1 + 14;
        const gapY = t.y - 14;
        const left = t.x - 14;
        const y2 = t.y + t.height / 2;
        parts.push(`<path d="M${x1},${y1} L${right},${y1} L${right},${gapY} L${left},${gapY} L${left},${y2} L${t.x},${y2}" fill="none" stroke="#8a1c1c" stroke-width="2" stroke-linejoin="round" marker-end="url(#story-arrow)"/>`);
      }
    } else {
      const x1 = s.x + s.width / 2;
      const y1 = s.y + s.height;
      const x2 = t.x + t.width / 2;
      const y2 = t.y;
      parts.push(`<path d="M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}" fill="none" stroke="#b5bcc8" stroke-width="1.2" stroke-dasharray="${e.kind === 'asset' ? '0' : '4 3'}"/>`);
    }
  }
  for (const n of layout.nodes) {
    const c = COLOURS[n.kind];
    const strokeWidth = n.kind === 'observable' && n.ioc ? 2.2 : 1.4;
    parts.push(`<g><rect x="${n.x}" y="${n.y}" width="${n.width}" height="${n.height}" rx="8" fill="${c.fill}" stroke="${n.kind === 'observable' && n.ioc ? '#a4161a' : c.stroke}" stroke-width="${strokeWidth}"/>`);
    parts.push(`<text x="${n.x + 10}" y="${n.y + 22}" font-size="12.5" font-weight="600" fill="#1d2330">${xmlText(n.label, 23)}</text>`);
    const detail = n.kind === 'action' && n.start ? `${n.detail.split(' · ')[0]} · ${n.start.slice(5, 16).replace('T', ' ')}` : `${n.detail}${n.ioc ? ' · IOC' : ''}`;
    parts.push(`<text x="${n.x + 10}" y="${n.y + 42}" font-size="11" fill="#5b6475">${xmlText(detail, 30)}</text></g>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** The report's "Attack story" section: the SVG inline, scaled to the page, with a one-line key. */
export function attackStoryHtmlSection(story: AttackStory): string {
  // One picture per row, so a printed page breaks between rows rather than through one.
  const layout = layoutAttackStory(story);
  const rows = layout.rows.map((row) => storySvg(story, layout, row).replace('<svg ', '<svg style="display:block;max-width:100%;height:auto;break-inside:avoid;margin:0 0 6px" '));
  return `<section class="attack-story"><h2>Attack story</h2><p class="muted" style="break-after:avoid;break-inside:avoid">The technique steps of the sequence of events in time order, each in its tactic's lane; below, the hosts and accounts they touched (solid lines) and the observables involved (dashed; red border: indicator of compromise).</p>${rows.join('\n')}</section>`;
}
