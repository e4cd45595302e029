/**
 * `buildReport(input)`: the self-contained HTML report. Pure apart from reading the vega bundles
 * (cached) — the same input gives the same HTML. Asynchronous only because vega's headless View
 * renders the SVG fallbacks asynchronously; `buildReportHtml` is the synchronous core.
 */
import { loadReportAssets, type ReportAssets } from './assets.js';
import { allCharts, buildCharts } from './charts/index.js';
import { renderHtml } from './html.js';
import type { ReportInput } from './inputs.js';
import { renderChartSvgs } from './svg.js';
import { summarizeVerdict } from './verdict.js';

export interface BuildReportOptions {
  /** Skip the build-time SVG fallbacks (faster; the report then needs JavaScript for charts). */
  svgFallback?: boolean;
  assets?: ReportAssets;
}

/** Synchronous core: HTML from the input and already-rendered SVGs (by chart id). */
export function buildReportHtml(
  input: ReportInput,
  svgs: Record<string, string> = {},
  assets: ReportAssets = loadReportAssets(),
): string {
  return renderHtml({ input, summary: summarizeVerdict(input), charts: buildCharts(input), svgs, assets });
}

export async function buildReport(input: ReportInput, options: BuildReportOptions = {}): Promise<string> {
  const svgs = options.svgFallback === false ? {} : await renderChartSvgs(allCharts(buildCharts(input)));
  return buildReportHtml(input, svgs, options.assets ?? loadReportAssets());
}
