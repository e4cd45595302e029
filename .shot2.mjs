import { chromium } from 'playwright-core';
const [file, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1024, height: 1900 }, deviceScaleFactor: 1 });
await page.goto('file://' + file);
await page.waitForFunction(() => [...document.querySelectorAll('figure.chart')].every(f => f.dataset.rendered || f.dataset.renderError), null, {timeout: 30000});
await page.screenshot({ path: out });
await browser.close();
