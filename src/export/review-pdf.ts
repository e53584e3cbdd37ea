import type { Browser } from 'playwright-core';
import { escapeHtml } from './escape.js';
import { PdfPrinter } from './pdf-printer.js';

export { ChromiumUnavailableError, DEFAULT_CHROMIUM, PdfPrinter, PdfQueueFullError } from './pdf-printer.js';

export interface RenderPdfOptions {
  /** Chromium binary; default HINDSIGHT_CHROMIUM, then /usr/bin/chromium (for a one-off printer). */
  executablePath?: string;
  /** Text in every page's footer beside the page number (escaped). */
  footerLabel?: string;
  /** Milliseconds allowed for starting the browser and printing (default 60 s). */
  timeoutMs?: number;
  /** The shared printer (the team server's); without one, a browser is started for this PDF alone. */
  printer?: PdfPrinter;
}

/**
 * Prints a self-contained HTML page to an A4 PDF in headless Chromium. JavaScript is disabled and
 * every network request is aborted, so injected markup stays inert and nothing leaves the machine.
 * Each page carries a footer with its number. The PDF is tagged (a structure tree that screen readers
 * and PDF/UA checkers read: headings, tables, lists, reading order) and carries an outline of the
 * headings; its language and title come from the page's `<html lang>` and `<title>`.
 */
export async function renderPdf(html: string, options: RenderPdfOptions = {}): Promise<Buffer> {
  const printer = options.printer ?? new PdfPrinter({ executablePath: options.executablePath, timeoutMs: options.timeoutMs, concurrency: 1 });
  try {
    return await printer.run((browser) => printOnBrowser(browser, html, options));
  } finally {
    if (!options.printer) await printer.close();
  }
}

/** One PDF in its own browser context: nothing is shared with the other prints. */
async function printOnBrowser(browser: Browser, html: string, options: RenderPdfOptions): Promise<Buffer> {
  const timeout = options.timeoutMs ?? 60_000;
  const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
  try {
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const label = options.footerLabel ? `${escapeHtml(options.footerLabel)} · ` : '';
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      tagged: true,
      outline: true,
      displayHeaderFooter: true,
      headerTemplate: '<div></div>',
      footerTemplate: `<div style="width:100%;font:8px system-ui,sans-serif;color:#5b6475;padding:0 14mm;display:flex;justify-content:space-between;"><span>${label}Hindsight post-incident review</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
      margin: { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' },
    });
    return pdf;
  } finally {
    await context.close();
  }
}
