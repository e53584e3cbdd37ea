import { existsSync } from 'node:fs';
import { HindsightError } from '../model/errors.js';
import { escapeHtml } from './escape.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface RenderPdfOptions {
  /** Chromium binary; default HINDSIGHT_CHROMIUM, then /usr/bin/chromium. */
  executablePath?: string;
  /** Text in every page's footer beside the page number (escaped). */
  footerLabel?: string;
  /** Milliseconds allowed for starting the browser and printing (default 60 s). */
  timeoutMs?: number;
}

/** Chromium could not be found or started. Exit status 1: the work failed, the input was fine. */
export class ChromiumUnavailableError extends HindsightError {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumUnavailableError';
  }
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Prints a self-contained HTML page to an A4 PDF in headless Chromium. JavaScript is disabled and
 * every network request is aborted, so injected markup stays inert and nothing leaves the machine.
 * Each page carries a footer with its number. The PDF is tagged (a structure tree that screen readers
 * and PDF/UA checkers read: headings, tables, lists, reading order) and carries an outline of the
 * headings; its language and title come from the page's `<html lang>` and `<title>`.
 */
export async function renderPdf(html: string, options: RenderPdfOptions = {}): Promise<Buffer> {
  const executablePath = options.executablePath ?? process.env.HINDSIGHT_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new ChromiumUnavailableError(
      `Chromium is needed for PDF reports but ${executablePath} does not exist: install it (apt-get install chromium) or set HINDSIGHT_CHROMIUM to its path`,
    );
  }
  const timeout = options.timeoutMs ?? 60_000;
  const { chromium } = await import('playwright-core');
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ChromiumUnavailableError(`could not start Chromium at ${executablePath} (${reason}); install chromium or set HINDSIGHT_CHROMIUM to a working binary`);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
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
    await context.close();
    return pdf;
  } finally {
    await browser.close();
  }
}
