/**
 * The self-contained HTML report: text sections, charts with their build-time SVG fallback, the
 * chart specs as JSON and vega/vega-lite/vega-embed inlined, so the file opens from disk with no
 * network. Pure: everything it shows comes from its arguments.
 */
import type { ReportAssets } from './assets.js';
import type { ChartGroups, ReportChart } from './charts/index.js';
import { escapeHtml as e } from './format.js';
import {
  calibrationSection,
  capacityTable,
  loadTestSummary,
  modelTables,
  requirementsTable,
  simulationTable,
  thresholdsTable,
  verdictBanner,
} from './html-sections.js';
import type { ReportInput } from './inputs.js';
import type { VerdictSummary } from './verdict.js';
import { reportCss } from './style.js';

/** Makes text safe inside a <script> element (no `</script`, no `<!--`). */
export function scriptSafe(source: string): string {
  return source.replaceAll('</script', '<\\/script').replaceAll('<!--', '<\\!--');
}

/** JSON safe inside a <script type="application/json"> element. */
export function jsonSafe(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026');
}

function chartFigure(chart: ReportChart, svg: string | undefined): string {
  const id = `chart-${chart.id}`;
  return `<figure class="chart" id="${e(id)}" data-chart-id="${e(chart.id)}" aria-labelledby="${e(id)}-title" aria-describedby="${e(id)}-desc">
<figcaption><strong id="${e(id)}-title">${e(chart.title)}</strong> <span id="${e(id)}-desc" class="chart-desc">${e(chart.description)}</span></figcaption>
<div class="chart-live" aria-hidden="true"></div>
<div class="chart-svg" role="img" aria-label="${e(chart.description)}">${svg ?? '<p class="note">(chart not pre-rendered)</p>'}</div>
</figure>`;
}

function chartSection(charts: readonly ReportChart[], svgs: Record<string, string>): string {
  return charts.map((chart) => chartFigure(chart, svgs[chart.id])).join('\n');
}

/** Turns each figure's live container into an interactive chart and hides its static fallback. */
const embedScript = `
(function () {
  var specs = JSON.parse(document.getElementById('capsim-specs').textContent);
  document.documentElement.classList.add('js');
  var figures = document.querySelectorAll('figure.chart');
  figures.forEach(function (figure) {
    var id = figure.getAttribute('data-chart-id');
    var live = figure.querySelector('.chart-live');
    if (!specs[id] || typeof vegaEmbed !== 'function') return;
    vegaEmbed(live, specs[id], { actions: false, renderer: 'svg' })
      .then(function () {
        figure.classList.add('embedded');
        figure.setAttribute('data-rendered', 'true');
        live.removeAttribute('aria-hidden');
      })
      .catch(function (error) { figure.setAttribute('data-render-error', String(error)); });
  });
})();`;

export interface HtmlParts {
  input: ReportInput;
  summary: VerdictSummary;
  charts: ChartGroups;
  svgs: Record<string, string>;
  assets: ReportAssets;
}

export function renderHtml({ input, summary, charts, svgs, assets }: HtmlParts): string {
  const title = input.title ?? `capsim report — ${input.scenario.name}`;
  const specs = Object.fromEntries(
    [...charts.load, ...charts.simulation, ...charts.model].map((chart) => [chart.id, chart.spec]),
  );
  const tests = input.loadTests ?? [];
  const loadSection =
    tests.length === 0 && input.capacity === undefined
      ? ''
      : `<section aria-labelledby="load-heading"><h2 id="load-heading">Load test</h2>
${input.capacity === undefined ? '' : capacityTable(input.capacity)}
${tests.map(loadTestSummary).join('\n')}
${thresholdsTable(tests)}
${chartSection(charts.load, svgs)}</section>`;
  const simSection =
    input.simulation === undefined
      ? ''
      : `<section aria-labelledby="sim-heading"><h2 id="sim-heading">Simulation</h2>
${simulationTable(input.simulation)}
${chartSection(charts.simulation, svgs)}</section>`;
  const modelSection =
    input.model === undefined
      ? ''
      : `<section aria-labelledby="model-heading"><h2 id="model-heading">Model</h2>
${chartSection(charts.model, svgs)}
${modelTables(input.model)}</section>`;
  const scripts = assets.scripts
    .map((script) => `<script data-lib="${e(script.name)}">${scriptSafe(script.source)}</script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="capsim">
<title>${e(title)}</title>
<style>${reportCss}</style>
</head>
<body>
<a class="skip" href="#verdict-heading">Skip to the verdict</a>
<header>
<h1>${e(title)}</h1>
<p class="meta">Scenario <strong>${e(input.scenario.name)}</strong>${input.scenario.source === undefined ? '' : ` · source document <code>${e(input.scenario.source)}</code>`}${
    input.generatedAt === undefined ? '' : ` · generated ${e(input.generatedAt)}`
  }</p>
${input.scenario.description === undefined ? '' : `<p>${e(input.scenario.description)}</p>`}
</header>
<main>
${verdictBanner(summary, input)}
${requirementsTable(summary.rows)}
${calibrationSection(input.calibration ?? [])}
${loadSection}
${simSection}
${modelSection}
</main>
<footer><p>Built by capsim. Charts are pre-rendered as SVG (readable without JavaScript and in print); with JavaScript they become interactive.</p></footer>
<script type="application/json" id="capsim-specs">${jsonSafe(specs)}</script>
${scripts}
<script>${scriptSafe(embedScript)}</script>
</body>
</html>
`;
}
