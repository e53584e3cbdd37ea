import { existsSync } from 'node:fs';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Browser } from 'playwright-core';
import { HindsightError } from '../model/errors.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Chromium could not be found or started. Exit status 1: the work failed, the input was fine. */
export class ChromiumUnavailableError extends HindsightError {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumUnavailableError';
  }
}

/** More PDFs are waiting than the printer queues: try again shortly (the server answers 503). */
export class PdfQueueFullError extends HindsightError {
  constructor(readonly waiting: number) {
    super(`${waiting} PDF reports are already waiting to be printed; try again in a few seconds`);
    this.name = 'PdfQueueFullError';
  }
}

export interface PdfPrinterOptions {
  /** Chromium binary; default HINDSIGHT_CHROMIUM, then /usr/bin/chromium. */
  executablePath?: string;
  /** Pages printed at once in the one browser (default 2). */
  concurrency?: number;
  /** Prints allowed to wait beyond those running; more are refused at once (default 32). */
  maxWaiting?: number;
  /** The browser closes after this long with nothing to print, to give its memory back (default 60 s). */
  idleCloseMs?: number;
  /** Milliseconds allowed for starting the browser (default 60 s). */
  timeoutMs?: number;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * One headless Chromium shared by every PDF a process prints, behind a bounded queue. A browser per
 * download let six parallel downloads start some twenty Chromium processes; here parallel downloads
 * share one browser (a context each), at most `concurrency` pages print at once, at most
 * `maxWaiting` wait, and the rest are refused with PdfQueueFullError instead of piling up memory.
 * The browser starts on the first print, restarts if it dies, and closes when idle.
 */
export class PdfPrinter {
  private browser: Promise<Browser> | null = null;
  private readonly limit: LimitFunction;
  private readonly maxWaiting: number;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private started = 0;

  constructor(private readonly options: PdfPrinterOptions = {}) {
    this.limit = pLimit(Math.max(1, options.concurrency ?? 2));
    this.maxWaiting = Math.max(0, options.maxWaiting ?? 32);
  }

  /** Prints running and waiting now (for health figures and tests). */
  get load(): { printing: number; waiting: number } {
    return { printing: this.limit.activeCount, waiting: this.limit.pendingCount };
  }

  /** How many times a browser was started (once, unless it was idle-closed or died). */
  get launches(): number {
    return this.started;
  }

  /** Runs `job` with the shared browser when a slot is free; refuses at once when the queue is full. */
  run<T>(job: (browser: Browser) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ChromiumUnavailableError('the PDF printer was shut down'));
    if (this.limit.pendingCount >= this.maxWaiting && this.limit.activeCount >= this.limit.concurrency) {
      return Promise.reject(new PdfQueueFullError(this.limit.pendingCount));
    }
    this.cancelIdleClose();
    return this.limit(async () => {
      try {
        return await job(await this.browserNow());
      } finally {
        this.scheduleIdleClose();
      }
    });
  }

  /** Closes the browser (the server calls this when it stops). */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelIdleClose();
    await this.closeBrowser();
  }

  private async browserNow(): Promise<Browser> {
    if (this.browser) {
      const running = await this.browser.catch(() => null);
      if (running?.isConnected()) return running;
      this.browser = null;
    }
    this.started += 1;
    const starting = launchChromium(this.options);
    this.browser = starting;
    // A failed start is not kept: the next print tries again.
    starting.catch(() => {
      if (this.browser === starting) this.browser = null;
    });
    return starting;
  }

  private scheduleIdleClose(): void {
    if (this.closed || this.limit.activeCount > 1 || this.limit.pendingCount > 0) return;
    this.cancelIdleClose();
    this.idleTimer = setTimeout(() => {
      if (this.limit.activeCount === 0 && this.limit.pendingCount === 0) void this.closeBrowser();
    }, this.options.idleCloseMs ?? 60_000);
    this.idleTimer.unref();
  }

  private cancelIdleClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private async closeBrowser(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    const running = browser ? await browser.catch(() => null) : null;
    await running?.close().catch(() => undefined);
  }
}

async function launchChromium(options: PdfPrinterOptions): Promise<Browser> {
  const executablePath = options.executablePath ?? process.env.HINDSIGHT_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new ChromiumUnavailableError(
      `Chromium is needed for PDF reports but ${executablePath} does not exist: install it (apt-get install chromium) or set HINDSIGHT_CHROMIUM to its path`,
    );
  }
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: options.timeoutMs ?? 60_000 });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ChromiumUnavailableError(`could not start Chromium at ${executablePath} (${reason}); install chromium or set HINDSIGHT_CHROMIUM to a working binary`);
  }
}
