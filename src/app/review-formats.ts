import type { AttackStory } from '../export/attack-story.js';
import { attackStoryHtmlSection } from '../export/attack-story-svg.js';
import { renderReviewHtml } from '../export/review-html.js';
import { renderReviewMarkdown } from '../export/review-markdown.js';
import { workflowHtmlSections, workflowMarkdownSections } from '../export/review-workflow-sections.js';
import type { PdfPrinter } from '../export/pdf-printer.js';
import type { ReviewReport } from '../review/report.js';

export const REVIEW_FORMATS = ['md', 'html', 'pdf', 'json'] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

export interface RenderedReview {
  body: string | Buffer;
  contentType: string;
  extension: ReviewFormat;
}

/**
 * The review document in one of its formats: the same sections from every front end. The HTML and
 * PDF documents draw the attack story when the caller gives it (app/share-export.ts builds it).
 */
export async function renderReview(report: ReviewReport, format: ReviewFormat, extras: { story?: AttackStory; printer?: PdfPrinter } = {}): Promise<RenderedReview> {
  if (format === 'json') return { body: `${JSON.stringify(report, null, 2)}\n`, contentType: 'application/json', extension: 'json' };
  if (format === 'md') return { body: renderReviewMarkdown(report, workflowMarkdownSections(report)), contentType: 'text/markdown; charset=utf-8', extension: 'md' };
  const html = renderReviewHtml(report, [...(extras.story && extras.story.nodes.length ? [attackStoryHtmlSection(extras.story)] : []), ...workflowHtmlSections(report)]);
  if (format === 'html') return { body: html, contentType: 'text/html; charset=utf-8', extension: 'html' };
  // Chromium is loaded only for a PDF.
  const { renderPdf } = await import('../export/review-pdf.js');
  return { body: await renderPdf(html, { footerLabel: report.incident.title, printer: extras.printer }), contentType: 'application/pdf', extension: 'pdf' };
}
