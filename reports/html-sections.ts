/** HTML for the report's text sections: verdict banner, tables, calibration, "how we got this". */
import { escapeHtml as e, formatNumber, formatRatio, formatRatioCell, formatValue } from './format.js';
import type {
  CalibrationRow,
  ReportCapacity,
  ReportInput,
  ReportLoadTest,
  ReportModel,
  ReportSimulation,
} from './inputs.js';
import type { EvaluatedRow, VerdictSummary } from './verdict.js';

const verdictText = { ready: 'READY', 'not ready': 'NOT READY', 'not measured': 'NOT MEASURED' } as const;
const verdictMark = { ready: '✓', 'not ready': '✗', 'not measured': '–' } as const;

export function verdictBanner(summary: VerdictSummary, input: ReportInput): string {
  const cls = summary.verdict.replace(' ', '-');
  const lead =
    summary.verdict === 'ready'
      ? `Every measured dimension, threshold and SLO passed (${summary.passedCount} checks).`
      : summary.verdict === 'not ready'
        ? `${summary.failedCount} of ${summary.failedCount + summary.passedCount} checks failed.`
        : 'No measurements or simulated SLO in this report: model only.';
  const failures =
    summary.failures.length === 0
      ? ''
      : `<ul class="failures">${summary.failures.map((failure) => `<li>${e(failure)}</li>`).join('')}</ul>`;
  const notes = (input.notes ?? []).map((note) => `<p class="note">${e(note)}</p>`).join('');
  return `<section class="verdict ${cls}" aria-labelledby="verdict-heading" data-verdict="${e(summary.verdict)}">
<h2 id="verdict-heading">Verdict: <span class="badge" aria-hidden="true">${verdictMark[summary.verdict]}</span> <strong id="verdict">${verdictText[summary.verdict]}</strong></h2>
<p>${e(lead)}</p>${failures}${notes}
</section>`;
}

function statusCell(row: EvaluatedRow): string {
  const mark = row.status === 'pass' ? '✓' : row.status === 'fail' ? '✗' : '–';
  const label = row.status === 'pass' ? 'OK' : row.status === 'fail' ? 'FAIL' : 'NOT MEASURED';
  return `<td class="status ${row.status.replace(' ', '-')}" data-field="status"><span aria-hidden="true">${mark}</span> ${label}</td>`;
}

function howRow(row: EvaluatedRow): string {
  const parts: string[] = [];
  const bound = row.direction === 'atLeast' ? 'at least' : 'at most';
  parts.push(
    `<li>Required (${bound}): ${e(row.requiredFormula ?? formatValue(row.required, row.unit))}</li>`,
  );
  if (row.tolerance !== undefined && row.tolerance > 0) {
    parts.push(
      `<li>Passes at ≥ ${formatNumber((1 - row.tolerance) * 100)} % of required: random arrivals make a measured rate vary (two standard deviations of a Poisson count, 2 ÷ √(rate × seconds), at least 5 %)</li>`,
    );
  }
  if (row.measuredFrom !== undefined) parts.push(`<li>Measured: ${e(row.measuredFrom)}</li>`);
  if (row.ratio !== undefined) {
    parts.push(
      `<li>Ratio = measured ÷ required = ${e(formatNumber(row.measured))} ÷ ${e(formatNumber(row.required))} = ${e(formatRatio(row.ratio))}</li>`,
    );
  }
  return `<details><summary>how we got this</summary><ul>${parts.join('')}</ul></details>`;
}

/** The required-vs-measured table, one row per capacity dimension. */
export function requirementsTable(rows: readonly EvaluatedRow[]): string {
  if (rows.length === 0) return '';
  // A model-only report compares with today's capacity as the document states it, not a measurement.
  const allCurrent = rows.every((row) => row.basis === 'current');
  const measuredHeader = allCurrent ? 'Current (document)' : 'Measured';
  const heading = allCurrent ? 'Required vs current capacity' : 'Required vs measured';
  const body = rows
    .map(
      (
        row,
      ) => `<tr data-row-id="${e(row.id)}" data-required="${row.required}" data-measured="${row.measured ?? ''}">
<th scope="row">${e(row.dimension)}${howRow(row)}</th>
<td class="num" data-field="required">${e(formatValue(row.required, row.unit))}</td>
<td class="num" data-field="measured">${e(formatValue(row.measured, row.unit))}${!allCurrent && row.basis === 'current' ? ' <span class="note">(document)</span>' : ''}</td>
<td class="num" data-field="ratio">${e(formatRatioCell(row))}</td>
${statusCell(row)}
</tr>`,
    )
    .join('\n');
  return `<section aria-labelledby="requirements-heading">
<h2 id="requirements-heading">${heading}</h2>
<table class="requirements">
<caption>Each capacity dimension: what the scenario requires, what ${allCurrent ? 'the system handles today (from the document)' : 'was measured'}, their ratio and the status.</caption>
<thead><tr><th scope="col">Dimension</th><th scope="col">Required</th><th scope="col">${measuredHeader}</th><th scope="col">Ratio</th><th scope="col">Status</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</section>`;
}

/** Load-test thresholds (`delivery_latency: p95 < 100ms`) with their verdicts. */
export function thresholdsTable(tests: readonly ReportLoadTest[]): string {
  const rows = tests.flatMap((test) =>
    test.thresholds.map(
      (
        threshold,
      ) => `<tr data-threshold="${e(threshold.expression)}"><th scope="row">${e(threshold.expression)}</th><td>${e(test.label)}</td>
<td class="num">${e(threshold.actual === undefined ? '—' : formatValue(threshold.actual, threshold.unit ?? ''))}</td>
<td class="status ${threshold.pass ? 'pass' : 'fail'}"><span aria-hidden="true">${threshold.pass ? '✓' : '✗'}</span> ${threshold.pass ? 'OK' : 'FAIL'}</td></tr>`,
    ),
  );
  if (rows.length === 0) return '';
  return `<h3 id="thresholds-heading">Load-test thresholds</h3>
<table class="thresholds" aria-labelledby="thresholds-heading">
<thead><tr><th scope="col">Threshold</th><th scope="col">Run</th><th scope="col">Actual</th><th scope="col">Status</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

/** Summary of each load test: what ran, its slice, its counts (the zero-loss proof). */
export function loadTestSummary(test: ReportLoadTest): string {
  const c = test.counts;
  const latency = (name: string, value: { p50?: number; p95?: number; p99?: number } | undefined): string =>
    value === undefined
      ? ''
      : `<li>${name} latency p50 / p95 / p99: ${formatNumber(value.p50)} / ${formatNumber(value.p95)} / ${formatNumber(value.p99)} ms</li>`;
  return `<div class="run-summary"><h3>${e(test.label)}</h3>
<ul>
<li>Duration ${formatNumber(test.durationS)} s${test.slice === undefined ? '' : `; ${e(test.slice)}`}</li>
<li>Messages sent ${formatNumber(c.sent)}, ACKed ${formatNumber(c.acked)}, delivered ${formatNumber(c.delivered)}</li>
<li>Lost ${formatNumber(c.lost)}, duplicated ${formatNumber(c.duplicated)}, out of order ${formatNumber(c.outOfOrder)}</li>
${latency('ACK', test.ackLatencyMs)}${latency('Delivery', test.deliveryLatencyMs)}${latency('Connect', test.connectLatencyMs)}${latency('Inbox replay (after reconnect)', test.inboxLatencyMs)}
${test.generatorCpuPercent === undefined ? '' : `<li>Load-generator CPU ${formatNumber(test.generatorCpuPercent)} % (a saturated generator would understate the server)</li>`}
</ul></div>`;
}

function money(value: number | undefined): string {
  return value === undefined ? '—' : `$${formatNumber(value)}/month`;
}

/** The measured per-instance capacity substituted into the model, beside the document's assumption. */
export function calibrationSection(rows: readonly CalibrationRow[]): string {
  if (rows.length === 0) return '';
  const sentences = rows
    .map((row) => {
      const cost = row.measuredMonthlyCostUsd === undefined ? '' : `, ${money(row.measuredMonthlyCostUsd)}`;
      const caveat = row.caveat === undefined ? '' : `<p class="note">${e(row.caveat)}</p>`;
      return `<p class="calibration-sentence">The document assumes <strong>${formatNumber(row.assumedPerInstance)} ${e(row.unit)} per instance</strong> → ${formatNumber(row.assumedInstances)} instances${row.assumedMonthlyCostUsd === undefined ? '' : ` (${money(row.assumedMonthlyCostUsd)})`}; measured <strong>${formatNumber(row.measuredPerInstance)}</strong> → <strong>${formatNumber(row.measuredInstances)} instances${cost}</strong>.</p>${caveat}`;
    })
    .join('\n');
  const body = rows
    .map(
      (row) => `<tr data-calibration="${e(row.dimension)}"><th scope="row">${e(row.dimension)}${
        row.formulas && row.formulas.length > 0
          ? `<details><summary>how we got this</summary><ul>${row.formulas.map((formula) => `<li><code>${e(formula)}</code></li>`).join('')}</ul></details>`
          : ''
      }</th>
<td class="num">${formatNumber(row.assumedPerInstance)}</td><td class="num">${formatNumber(row.assumedInstances)}</td><td class="num">${money(row.assumedMonthlyCostUsd)}</td>
<td class="num">${formatNumber(row.measuredPerInstance)}</td><td class="num">${formatNumber(row.measuredInstances)}</td><td class="num">${money(row.measuredMonthlyCostUsd)}</td></tr>`,
    )
    .join('\n');
  return `<section aria-labelledby="calibration-heading">
<h2 id="calibration-heading">Calibration: the model with measured capacity</h2>
${sentences}
<table class="calibration">
<caption>Per-instance capacity assumed by the document vs measured here, and the fleet and cost the model derives from each.</caption>
<thead><tr><th scope="col">Dimension</th><th scope="col">Assumed per instance</th><th scope="col">Instances</th><th scope="col">Monthly cost</th><th scope="col">Measured per instance</th><th scope="col">Instances</th><th scope="col">Monthly cost</th></tr></thead>
<tbody>${body}</tbody></table>
</section>`;
}

/** Per-station simulation results. */
/** "42.0 % (41.2–42.8)": the replication mean with its confidence interval. */
function utilizationCell(station: ReportSimulation['stations'][number]): string {
  const mean = `${(station.utilization * 100).toFixed(1)} %`;
  if (station.utilizationCi === undefined) return mean;
  const [low, high] = station.utilizationCi;
  return `${mean} <span class="note">(${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)})</span>`;
}

export function simulationTable(simulation: ReportSimulation): string {
  const rows = simulation.stations
    .map(
      (
        station,
      ) => `<tr><th scope="row">${e(station.name)}</th><td class="num">${utilizationCell(station)}</td>
<td class="num">${station.analyticUtilization === undefined ? '—' : `${(station.analyticUtilization * 100).toFixed(1)} %`}</td>
<td class="num">${formatNumber(station.queueLengthMean)}</td><td class="num">${formatNumber(station.queueLengthMax)}</td>
<td class="num">${formatNumber(station.waitMs?.p95)}</td><td class="num">${formatNumber(station.throughputPerSecond)}</td><td class="num">${formatNumber(station.drops)}</td></tr>`,
    )
    .join('\n');
  const e2e = simulation.endToEndLatencyMs;
  const slice =
    simulation.sliceDescription ??
    (simulation.sliceFactor !== undefined && simulation.sliceFactor !== 1
      ? `slice factor ${simulation.sliceFactor}`
      : undefined);
  return `<p>Simulated ${formatNumber(simulation.durationS)} s${simulation.replications === undefined ? '' : ` × ${simulation.replications} replications`}${slice === undefined ? '' : ` (${e(slice)})`}.${
    e2e === undefined
      ? ''
      : ` End-to-end latency p50 / p95 / p99: ${formatNumber(e2e.p50)} / ${formatNumber(e2e.p95)} / ${formatNumber(e2e.p99)} ms.`
  }${simulation.slo === undefined ? '' : ` SLO ${e(simulation.slo.description)}: <strong>${simulation.slo.pass ? 'met' : 'NOT met'}</strong>.`}</p>
<table class="stations"><caption>Simulated stations</caption>
<thead><tr><th scope="col">Station</th><th scope="col">Utilization (95 % CI)</th><th scope="col">Analytic λ·E[S]/c</th><th scope="col">Mean queue</th><th scope="col">Max queue</th><th scope="col">Wait p95 (ms)</th><th scope="col">Throughput (/s)</th><th scope="col">Drops</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** Every model metric with its formula ("how we got this"), and the document reproduction checks. */
export function modelTables(model: ReportModel): string {
  const metricRows = Object.entries(model.metrics)
    .map(([id, metric]) => {
      const range =
        metric.p10 === undefined ? '' : `${formatNumber(metric.p10)} – ${formatNumber(metric.p90)}`;
      return `<tr data-metric="${e(id)}"><th scope="row"><code>${e(id)}</code><details><summary>how we got this</summary><code class="formula">${e(metric.formula)}</code></details></th>
<td class="num">${e(formatNumber(metric.value))}</td><td>${e(metric.unit)}</td><td class="num">${e(range)}</td></tr>`;
    })
    .join('\n');
  const checks = model.checks
    .map(
      (
        check,
      ) => `<tr><th scope="row"><code>${e(check.id)}</code></th><td class="num">${formatNumber(check.expected)}</td><td class="num">${formatNumber(check.actual)}</td>
<td class="num">${formatNumber(check.tolerance)}</td><td class="status ${check.pass ? 'pass' : 'fail'}">${check.pass ? '✓ OK' : '✗ FAIL'}</td><td>${e(check.source)}</td></tr>`,
    )
    .join('\n');
  return `<details class="model-metrics"><summary><h3>All model metrics (${Object.keys(model.metrics).length})</h3></summary>
<table><caption>Derived metrics of the analytic model; expand a metric for its formula with inputs substituted.</caption>
<thead><tr><th scope="col">Metric</th><th scope="col">Value</th><th scope="col">Unit</th><th scope="col">p10 – p90</th></tr></thead>
<tbody>${metricRows}</tbody></table></details>
${
  model.checks.length === 0
    ? ''
    : `<details class="model-checks"><summary><h3>Reproduction of the document (${model.checks.filter((check) => check.pass).length}/${model.checks.length} checks pass)</h3></summary>
<table><caption>Numbers in the source document vs the model</caption>
<thead><tr><th scope="col">Check</th><th scope="col">Document</th><th scope="col">Model</th><th scope="col">Tolerance</th><th scope="col">Status</th><th scope="col">Source</th></tr></thead>
<tbody>${checks}</tbody></table></details>`
}`;
}

/** The `--find-capacity` step table: the capacity is the last step that met every threshold. */
export function capacityTable(capacity: ReportCapacity): string {
  const limit =
    capacity.mode === 'connections'
      ? capacity.maxSustainableConnections
      : capacity.maxSustainableMessagesPerSecond;
  const unit = capacity.mode === 'connections' ? 'connections' : 'msg/s';
  const rows = capacity.steps
    .map(
      (
        step,
      ) => `<tr data-step="${step.step}"><th scope="row">${step.step}</th><td class="num">${formatNumber(step.users)}</td>
<td class="num">${formatNumber(step.offeredMessagesPerSecond)}</td><td class="num">${formatNumber(step.ackedMessagesPerSecond)}</td>
<td class="num">${formatNumber(step.maxOpenConnections)}</td><td class="num">${formatNumber(step.ackP99Ms)}</td><td class="num">${formatNumber(step.deliveryP99Ms)}</td>
<td class="status ${step.pass ? 'pass' : 'fail'}">${step.pass ? '✓ OK' : `✗ ${e(step.failed.join('; '))}`}</td></tr>`,
    )
    .join('\n');
  return `<h3 id="capacity-heading">Find capacity (${capacity.mode})</h3>
<p>Maximum sustained: <strong>${limit === null ? 'none (the first step failed)' : `${formatNumber(limit)} ${unit}`}</strong>${
    capacity.limitedByGenerator
      ? ' — the load generator saturated first, so the server’s true capacity is higher.'
      : '.'
  }</p>
<table class="capacity" aria-labelledby="capacity-heading">
<thead><tr><th scope="col">Step</th><th scope="col">Users</th><th scope="col">Offered msg/s</th><th scope="col">ACKed msg/s</th><th scope="col">Max open</th><th scope="col">ACK p99 (ms)</th><th scope="col">Delivery p99 (ms)</th><th scope="col">Thresholds</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}
