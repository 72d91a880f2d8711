import * as fs from 'node:fs';
import * as path from 'node:path';
import puppeteer from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Debian's chromium (or $ZLS_CHROMIUM); undefined when none is installed. */
export function findChromium(): string | undefined {
  const configured = process.env['ZLS_CHROMIUM'];
  if (configured) return configured;
  return CANDIDATES.find((c) => fs.existsSync(c));
}

export interface PageCheck {
  /** console.error messages and uncaught page errors. */
  errors: string[];
  /** Inline SVG charts with a non-empty rendered box. */
  renderedCharts: number;
  charts: number;
  /** <img> elements that decoded to a non-empty picture. */
  loadedImages: number;
  images: number;
}

/**
 * Opens a local HTML file in headless Chromium the way a reader's browser would, reports console errors and
 * whether its charts and images rendered, and saves a full-page screenshot.
 */
export async function checkPageInChromium(file: string, screenshot: string, executablePath: string): Promise<PageCheck> {
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`file://${path.resolve(file)}`, { waitUntil: 'load' });
    // Evaluated in the page (as text: this workspace compiles without DOM typings).
    const counts = (await page.evaluate(`(() => {
      const svgs = [...document.querySelectorAll('figure svg')];
      const imgs = [...document.querySelectorAll('img')];
      const drawn = (s) => s.getBoundingClientRect().width > 50 && s.getBoundingClientRect().height > 50;
      return {
        charts: svgs.length,
        renderedCharts: svgs.filter(drawn).length,
        images: imgs.length,
        loadedImages: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
      };
    })()`)) as Omit<PageCheck, 'errors'>;
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    return { errors, ...counts };
  } finally {
    await browser.close();
  }
}
