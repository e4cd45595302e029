/**
 * Opens generated reports in headless Chromium (Debian package `chromium`; `.ci/run` installs it) and
 * checks what a reviewer sees: no console errors, every chart drawn with marks, the verdict and the
 * table values equal to the input, nothing fetched from the network, and the SVG fallback without JS.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildReport } from '../reports/build.js';
import { sampleReportInput } from '../reports/fixtures/sample-input.js';
import { assembleReportInput } from '../reports/assemble.js';
import { calibrationFor } from '../reports/report-files.js';
import { loadTestResultSchema } from '../loadgen/outputs/result-schema.js';
import { evaluateModel } from '../model/evaluate.js';
import { loadScenario } from '../scenarios/load.js';
import { readFileSync } from 'node:fs';
import type { ReportInput } from '../reports/inputs.js';
import { formatRatioCell, formatValue } from '../reports/format.js';
import { evaluateRow, summarizeVerdict } from '../reports/verdict.js';

const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) {
  console.warn(
    `\n!!! SKIPPING report browser tests: ${chromiumPath} not found (apt-get install -y chromium) !!!\n`,
  );
}
const outputDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output', 'report-browser');

/** The browser globals the page functions use (the project compiles without the DOM lib). */
interface BrowserGlobals {
  document: { querySelectorAll(selector: string): Iterable<{ hasAttribute(name: string): boolean }> };
  getComputedStyle(element: unknown): { display: string };
}

interface OpenedReport {
  page: Page;
  problems: string[];
  externalRequests: string[];
}

describe.skipIf(!haveChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    mkdirSync(outputDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(name: string, input: ReportInput, javaScriptEnabled = true): Promise<OpenedReport> {
    const file = join(outputDir, `${name}.html`);
    writeFileSync(file, await buildReport(input));
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, javaScriptEnabled });
    const page = await context.newPage();
    const problems: string[] = [];
    const externalRequests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:'))
        externalRequests.push(request.url());
    });
    await page.goto(`file://${file}`);
    if (javaScriptEnabled) {
      await page.waitForFunction(
        () =>
          [...(globalThis as unknown as BrowserGlobals).document.querySelectorAll('figure.chart')].every(
            (figure) => figure.hasAttribute('data-rendered') || figure.hasAttribute('data-render-error'),
          ),
        undefined,
        { timeout: 30_000 },
      );
    }
    return { page, problems, externalRequests };
  }

  it('renders every chart, shows the verdict and the input values, with no console errors or network', async () => {
    const input = sampleReportInput(60);
    const { page, problems, externalRequests } = await open('ready', input);
    expect(problems).toEqual([]);
    expect(externalRequests).toEqual([]);

    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => ({
        id: figure.id,
        error: figure.getAttribute('data-render-error'),
        liveMarks: figure.querySelectorAll('.chart-live svg g.role-mark > *').length,
        fallbackHidden:
          (globalThis as unknown as BrowserGlobals).getComputedStyle(figure.querySelector('.chart-svg'))
            .display === 'none',
      })),
    );
    expect(charts).toHaveLength(10);
    for (const chart of charts) {
      expect(chart.error, chart.id).toBeNull();
      expect(chart.liveMarks, chart.id).toBeGreaterThan(0);
      expect(chart.fallbackHidden, chart.id).toBe(true);
    }

    expect(await page.textContent('#verdict')).toBe('READY');
    for (const row of input.requirements!) {
      const evaluated = evaluateRow(row);
      const cells = await page.$$eval(`tr[data-row-id="${row.id}"] td`, (tds) =>
        tds.map((td) => td.textContent!.trim()),
      );
      expect(cells[0]).toBe(formatValue(row.required, row.unit));
      expect(cells[1]).toBe(formatValue(row.measured, row.unit));
      expect(cells[2]).toBe(formatRatioCell(evaluated));
      expect(cells[3]).toBe(evaluated.status === 'pass' ? '✓ OK' : '✗ FAIL');
    }
    // "How we got this": a derived number expands to its formula.
    await page.click('tr[data-row-id="connections.perInstance"] details summary');
    expect(await page.isVisible('tr[data-row-id="connections.perInstance"] details li')).toBe(true);
    await page.screenshot({ path: join(outputDir, 'ready.png'), fullPage: true });
  });

  it('shows NOT READY with the failing row when a measurement misses its requirement', async () => {
    const input = sampleReportInput(30);
    input.requirements![3].measured = 250;
    const { page, problems } = await open('not-ready', input);
    expect(problems).toEqual([]);
    expect(await page.textContent('#verdict')).toBe('NOT READY');
    expect(await page.textContent('tr[data-row-id="latency.delivery.p95"] td[data-field="status"]')).toBe(
      '✗ FAIL',
    );
    expect(await page.textContent('.verdict .failures')).toContain(
      'Delivery latency p95: required 100 ms, measured 250 ms',
    );
    await page.screenshot({ path: join(outputDir, 'not-ready.png') });
  });

  it('a report of real results (recorded load test + the 000 model) renders and states the computed verdict', async () => {
    const scenario = await loadScenario('whatsapp-agent-backend');
    const model = evaluateModel(scenario, { samples: 2000 });
    const fixture = new URL('../reports/fixtures/loadtest-result.json', import.meta.url);
    const loadTest = loadTestResultSchema.parse(JSON.parse(readFileSync(fixture, 'utf8')));
    const calibration = await calibrationFor(scenario, model, [loadTest]);
    const input = assembleReportInput({
      scenario,
      model,
      loadTests: [loadTest],
      calibration,
      generatedAt: '2026-11-23T16:00:00Z',
    });
    const { page, problems, externalRequests } = await open('real-results', input);
    expect(problems).toEqual([]);
    expect(externalRequests).toEqual([]);
    const marks = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => figure.querySelectorAll('.chart-live svg g.role-mark > *').length),
    );
    expect(marks.length).toBeGreaterThanOrEqual(6);
    for (const count of marks) expect(count).toBeGreaterThan(0);
    const expected = summarizeVerdict(input).verdict.toUpperCase();
    expect(await page.textContent('#verdict')).toBe(expected);
    expect(await page.textContent('tr[data-row-id="messages.lost"] td[data-field="measured"]')).toBe(
      `${loadTest.checker.lost} messages`,
    );
    expect(await page.textContent('.calibration-sentence')).toContain(
      'The document assumes 10,000 connections per instance → 5,000 instances',
    );
    await page.screenshot({ path: join(outputDir, 'real-results.png'), fullPage: true });
  });

  it('without JavaScript, the pre-rendered SVG charts are visible and drawn', async () => {
    const { page } = await open('no-js', sampleReportInput(30), false);
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => ({
        visible:
          (globalThis as unknown as BrowserGlobals).getComputedStyle(figure.querySelector('.chart-svg'))
            .display !== 'none',
        marks: figure.querySelectorAll('.chart-svg svg g.role-mark > *').length,
      })),
    );
    expect(charts.length).toBe(10);
    for (const chart of charts) {
      expect(chart.visible).toBe(true);
      expect(chart.marks).toBeGreaterThan(0);
    }
    expect(await page.textContent('#verdict')).toBe('READY');
  });
});
