/**
 * The shared PDF printer: parallel prints share one browser, at most `concurrency` run at once,
 * a full queue refuses at once, and an idle browser is closed (and started again when needed).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PdfPrinter, PdfQueueFullError, renderPdf } from '../../src/export/review-pdf.js';
import { requireOrSkip } from '../helpers/env.js';

const chromium = process.env.HINDSIGHT_CHROMIUM ?? '/usr/bin/chromium';
const run = requireOrSkip('Chromium for PDF reports', existsSync(chromium), `${chromium} does not exist (apt-get install chromium, or set HINDSIGHT_CHROMIUM)`);

const page = (n: number) => `<!doctype html><html lang="en"><title>Report ${n}</title><h1>Report ${n}</h1><p>${'Evidence. '.repeat(200)}</p></html>`;

describe.runIf(run)('the shared PDF printer', () => {
  it('prints parallel PDFs in one browser, two at a time', async () => {
    const printer = new PdfPrinter({ concurrency: 2, maxWaiting: 32 });
    let peak = 0;
    let waited = 0;
    const sample = setInterval(() => {
      peak = Math.max(peak, printer.load.printing);
      waited = Math.max(waited, printer.load.waiting);
    }, 5);
    try {
      const pdfs = await Promise.all(Array.from({ length: 8 }, (_, i) => renderPdf(page(i), { printer })));
      clearInterval(sample);
      for (const pdf of pdfs) expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(printer.launches).toBe(1);
      expect(peak).toBe(2);
      expect(waited).toBeGreaterThan(0);
    } finally {
      clearInterval(sample);
      await printer.close();
    }
  }, 120_000);

  it('refuses prints beyond the queue at once instead of piling them up', async () => {
    const printer = new PdfPrinter({ concurrency: 1, maxWaiting: 2 });
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => renderPdf(page(i), { printer })));
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
      expect(refused).toHaveLength(3);
      for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(PdfQueueFullError);
    } finally {
      await printer.close();
    }
  }, 120_000);

  it('closes an idle browser and starts one again for the next print', async () => {
    const printer = new PdfPrinter({ idleCloseMs: 50 });
    try {
      await renderPdf(page(1), { printer });
      await new Promise((done) => setTimeout(done, 400));
      await renderPdf(page(2), { printer });
      expect(printer.launches).toBe(2);
    } finally {
      await printer.close();
    }
  }, 120_000);
});
