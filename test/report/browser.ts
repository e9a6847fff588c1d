/**
 * Opens a report in headless Chromium (Debian's chromium-headless-shell, driven by playwright-core)
 * and records console errors and every network request. Install: apt-get install -y chromium-headless-shell.
 */
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ATTNBENCH_CHROMIUM ?? '/usr/bin/chromium-headless-shell';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export interface OpenedReport {
  page: Page;
  consoleErrors: string[];
  /** Every request other than the file itself and data: URLs. */
  requests: string[];
  /** Legend entries of an interactive chart. */
  chartSeries(id: string): Promise<string[]>;
  /** `path` marks drawn in the chart's data area. */
  pathCount(id: string): Promise<number>;
  close(): Promise<void>;
}

export async function openReport(file: string, opts: { javaScript?: boolean } = {}): Promise<OpenedReport> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const context = await browser.newContext({ javaScriptEnabled: opts.javaScript ?? true });
  const page = await context.newPage();
  const consoleErrors: string[] = [], requests: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => { if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  if (opts.javaScript ?? true) await page.waitForSelector('.live svg', { timeout: 20_000 });
  return {
    page, consoleErrors, requests,
    chartSeries: (id) => page.$$eval(`#${id} .live .role-legend-label text`, (ts) => ts.map((t) => t.textContent ?? '')),
    pathCount: (id) => page.$$eval(`#${id} .live .mark-line path, #${id} .live .mark-area path`, (ps) => ps.length),
    close: () => browser.close(),
  };
}
