/**
 * Opens a report in headless Chromium (Debian's chromium-headless-shell, driven by playwright-core)
 * and records console errors, dialogs and every network request. Install: apt-get install -y chromium-headless-shell.
 * Also used by scripts/report-screenshot.ts.
 */
import { existsSync } from 'node:fs';
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
  /** Messages of alert/confirm/prompt dialogs the page opened (each dismissed). */
  dialogs: string[];
  /** Each chart section's id and state: 'live' (interactive chart drawn), 'failed', or 'static' (no script ran). */
  charts(): Promise<Array<{ id: string; state: string }>>;
  /** Legend entries of an interactive chart. */
  chartSeries(id: string): Promise<string[]>;
  /** `path` marks drawn in the chart's data area. */
  pathCount(id: string): Promise<number>;
  close(): Promise<void>;
}

export interface OpenOptions {
  javaScript?: boolean;
  viewport?: { width: number; height: number };
}

let launched: Promise<Browser> | undefined;

/** The browser of this process, launched at the first report opened: each report gets a context of its own. */
function browserOfProcess(): Promise<Browser> {
  // npm test's pretest (scripts/ensure-browser.mjs) installs it or says how; a test run alone gets one line too.
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: run node scripts/ensure-browser.mjs (or npm test) first`);
  launched ??= chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  return launched;
}

/** Closes the process's browser (a test file's `after`; a script's end): until then it keeps the process alive. */
export async function closeBrowser(): Promise<void> {
  const browser = launched;
  launched = undefined;
  await (await browser)?.close();
}

export async function openReport(file: string, opts: OpenOptions = {}): Promise<OpenedReport> {
  const javaScript = opts.javaScript ?? true;
  const browser = await browserOfProcess();
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: opts.viewport ?? { width: 1200, height: 900 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [], requests: string[] = [], dialogs: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => { if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url()); });
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(url, { waitUntil: 'load' });
  // Every chart settles as live or failed once vega-embed is done with it.
  if (javaScript) {
    await page.waitForFunction(() => [...document.querySelectorAll('section.chart')].every((s) => (s as HTMLElement).dataset.state),
      null, { timeout: 30_000 });
  }
  return {
    page, consoleErrors, requests, dialogs,
    charts: () => page.$$eval('section.chart', (ss) => ss.map((s) => ({ id: s.id, state: (s as HTMLElement).dataset.state ?? 'static' }))),
    chartSeries: (id) => page.$$eval(`#${id} .live .role-legend-label text`, (ts) => ts.map((t) => t.textContent ?? '')),
    pathCount: (id) => page.$$eval(`#${id} .live .mark-line path, #${id} .live .mark-area path`, (ps) => ps.length),
    close: () => context.close(),
  };
}
