/**
 * A PNG of a report page, for the README: opens the report in headless Chromium
 * (chromium-headless-shell + playwright-core, as the browser tests do), waits for every chart,
 * and writes the top of the page (or all of it with --full).
 *
 *   npx tsx scripts/report-screenshot.ts results/<run-id>/report.html docs/report.png [--width 1400] [--height 1300] [--full]
 */
import { parseArgs } from 'node:util';
import { closeBrowser, openReport } from '../test/report/browser.ts';

const USAGE = 'usage: npx tsx scripts/report-screenshot.ts REPORT.html OUT.png [--width PX] [--height PX] [--full]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    width: { type: 'string', default: '1400' }, height: { type: 'string', default: '1300' }, full: { type: 'boolean', default: false } } });
  const [report, out] = positionals, width = Number(values.width), height = Number(values.height);
  if (positionals.length !== 2 || !(width > 0) || !(height > 0)) {
    console.error(USAGE);
    return 2;
  }
  const opened = await openReport(report, { viewport: { width, height } });
  try {
    const failed = (await opened.charts()).filter((c) => c.state !== 'live');
    if (failed.length > 0 || opened.consoleErrors.length > 0) {
      console.error(`charts not drawn: ${failed.map((c) => c.id).join(', ') || 'none'}; `
        + `console errors: ${opened.consoleErrors.join(' | ') || 'none'}`);
      return 1;
    }
    await opened.page.screenshot({ path: out, fullPage: values.full });
    console.log(`screenshot: ${out}`);
    return 0;
  } finally {
    await opened.close();
    await closeBrowser();
  }
}

process.exitCode = await main();
