/**
 * Build-time SVG of each chart (the no-JavaScript and print fallback), rendered by vega's headless
 * View: vega-lite compiles the spec to vega, the View runs the dataflow without a renderer and
 * serialises the scenegraph to an SVG string.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import type { ReportChart } from './charts/chart.js';

/** Renders one vega-lite spec to an SVG string. */
export async function renderSpecToSvg(spec: TopLevelSpec): Promise<string> {
  const vegaSpec = compile(spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none', logLevel: 0 });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG per chart id. */
export async function renderChartSvgs(charts: readonly ReportChart[]): Promise<Record<string, string>> {
  const svgs: Record<string, string> = {};
  for (const chart of charts) svgs[chart.id] = await renderSpecToSvg(chart.spec);
  return svgs;
}
