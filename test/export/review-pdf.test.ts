import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../src/attack/types.js';
import { renderReviewHtml } from '../../src/export/review-html.js';
import { ChromiumUnavailableError, renderPdf } from '../../src/export/review-pdf.js';
import { parseFile } from '../../src/ingest/index.js';
import { buildReviewReport } from '../../src/review/report.js';
import { sampleIncident } from '../fixtures/review/incident.js';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';

const chromium = process.env.HINDSIGHT_CHROMIUM ?? '/usr/bin/chromium';
const bundle = attackBundle();
const hasPoppler = ['pdfinfo', 'pdftotext', 'pdftoppm'].every((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const run =
  requireOrSkip('ATT&CK bundle for PDF reports', Boolean(bundle.path), bundle.reason) &&
  requireOrSkip('Chromium for PDF reports', existsSync(chromium), `${chromium} does not exist (apt-get install chromium, or set HINDSIGHT_CHROMIUM)`) &&
  requireOrSkip('poppler-utils for PDF checks', hasPoppler, 'pdfinfo/pdftotext/pdftoppm not found (apt-get install poppler-utils)');

const artifacts = join(projectRoot, 'test-artifacts', 'pdf');

/** Writes the PDF and its page images (60 dpi PNGs) under test-artifacts/, returns page count and text. */
function inspect(name: string, pdf: Buffer): { pages: number; text: string } {
  mkdirSync(artifacts, { recursive: true });
  for (const f of readdirSync(artifacts)) if (f.startsWith(`${name}-`) || f === `${name}.pdf`) rmSync(join(artifacts, f));
  const file = join(artifacts, `${name}.pdf`);
  writeFileSync(file, pdf);
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? 0);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  execFileSync('pdftoppm', ['-r', '60', '-png', file, join(artifacts, name)]);
  return { pages, text };
}

describe('renderPdf without Chromium', () => {
  it('says how to install it or point HINDSIGHT_CHROMIUM at it', async () => {
    const missing = renderPdf('<p>x</p>', { executablePath: '/nonexistent/chromium' });
    await expect(missing).rejects.toBeInstanceOf(ChromiumUnavailableError);
    await expect(missing).rejects.toThrow(/\/nonexistent\/chromium does not exist: install it \(apt-get install chromium\) or set HINDSIGHT_CHROMIUM/);
  });
});

describe.runIf(run)('review PDF rendered in headless Chromium', () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    const { loadBundle } = await import('../../src/attack/resolve.js');
    kb = await loadBundle(bundle.path as string);
  }, 120_000);

  it('renders the ransomware example to a multi-page A4 PDF with its content', async () => {
    const parsed = await parseFile(join(projectRoot, 'examples', 'ransomware.json'));
    const incident = { ...parsed.incidents[0]!, id: 'inc_ransomware01', importedAt: '2026-05-01T00:00:00.000Z' };
    const report = buildReviewReport(incident, kb, new Date('2026-05-01T00:00:00Z'));
    const pdf = await renderPdf(renderReviewHtml(report), { footerLabel: incident.title });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { pages, text } = inspect('ransomware', pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(incident.title.slice(0, 30));
    expect(text).toMatch(/Page 1 of \d+/);
    expect(text).toContain('Hindsight post-incident review');
    // Tagged for assistive technology: a structure tree, marked content, the language and title.
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/StructTreeRoot');
    expect(raw).toMatch(/\/MarkInfo\s*<<(?:\/Type\s*\/MarkInfo\s*)?\/Marked\s+true/);
    expect(raw).toMatch(/\/Lang\s*\(en\)/);
    const info = execFileSync('pdfinfo', [join(artifacts, 'ransomware.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(/^Tagged:\s+yes/m);
    expect(info).toContain(`Title:           Post-incident review: ${incident.title.slice(0, 20)}`);
    // Every technique of the review shows up in the printed text.
    for (const tactic of report.techniques.tactics) for (const tech of tactic.techniques) expect(text).toContain(tech.id);
  }, 120_000);

  it('prints a <script> title as literal text and runs nothing', async () => {
    const title = '<script>alert(1)</script>';
    const incident = sampleIncident({ title, description: `<img src=x onerror="document.title='pwned'"> ${'A long description line. '.repeat(200)}` });
    const report = buildReviewReport(incident, kb, new Date('2026-05-01T00:00:00Z'));
    const pdf = await renderPdf(renderReviewHtml(report), { footerLabel: title });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { pages, text } = inspect('script-title', pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('<img src=x onerror=');
  }, 120_000);
});
