/** Charts of the analytic model: monthly cost breakdown, sensitivity tornado, sweeps. */
import type { ReportCostItem, ReportSensitivity, ReportSweep } from '../inputs.js';
import { chartWidthPx, topLevel, type ReportChart } from './chart.js';

/** Monthly cost per component, largest first. */
export function costBreakdownChart(items: readonly ReportCostItem[]): ReportChart | undefined {
  const values = items.filter((item) => item.monthlyCostUsd > 0);
  if (values.length === 0) return undefined;
  const totalUsd = values.reduce((sum, item) => sum + item.monthlyCostUsd, 0);
  const description = `Monthly cost by component, total $${Math.round(totalUsd).toLocaleString('en-US')} per month.`;
  const spec = {
    data: { values },
    mark: { type: 'bar', color: '#8c564b' },
    encoding: {
      y: { field: 'component', type: 'nominal', sort: '-x', title: null },
      x: { field: 'monthlyCostUsd', type: 'quantitative', title: 'USD per month', axis: { format: '$,.0f' } },
      tooltip: [{ field: 'component' }, { field: 'monthlyCostUsd', format: '$,.0f' }],
    },
  };
  return { id: 'cost', title: 'Monthly cost breakdown', description, spec: topLevel(spec, description) };
}

/**
 * Tornado: for each input, the output at the input's low and high values as a bar around the baseline,
 * the input that moves the output most on top.
 */
export function tornadoChart(sensitivity: ReportSensitivity, index = 0): ReportChart | undefined {
  const values = sensitivity.inputs
    .filter((input) => input.outputAtLow !== input.outputAtHigh)
    .map((input) => ({
      input: input.inputPath,
      from: Math.min(input.outputAtLow, input.outputAtHigh),
      to: Math.max(input.outputAtLow, input.outputAtHigh),
      swing: Math.abs(input.outputAtHigh - input.outputAtLow),
    }))
    .sort((a, b) => b.swing - a.swing);
  // An output no uncertain input moves has nothing to show.
  if (values.length === 0) return undefined;
  const baseline = Number(sensitivity.baseline.toPrecision(6));
  const description =
    `Sensitivity of ${sensitivity.outputId} (${sensitivity.outputUnit}) to each input across its range; ` +
    `${values[0].input} moves it most. The black line is the baseline ${baseline.toLocaleString('en-US')}.`;
  const spec = {
    layer: [
      {
        data: { values },
        mark: { type: 'bar', color: '#ff7f0e' },
        encoding: {
          y: { field: 'input', type: 'nominal', sort: null, title: null },
          x: {
            field: 'from',
            type: 'quantitative',
            title: `${sensitivity.outputId} (${sensitivity.outputUnit})`,
          },
          x2: { field: 'to' },
        },
      },
      {
        data: { values: [{ baseline }] },
        mark: { type: 'rule', color: 'black' },
        encoding: { x: { field: 'baseline', type: 'quantitative' } },
      },
    ],
  };
  return {
    id: `tornado-${index}`,
    title: `Sensitivity — ${sensitivity.outputId}`,
    description,
    spec: topLevel(spec, description),
  };
}

/** One small panel per swept metric against the swept input. */
export function sweepChart(sweep: ReportSweep, index = 0): ReportChart | undefined {
  const values = sweep.rows.flatMap((row) =>
    Object.entries(row.metrics).map(([metric, value]) => ({ input: row.inputValue, metric, value })),
  );
  if (values.length === 0) return undefined;
  const metrics = [...new Set(values.map((row) => row.metric))];
  const description = `Sweep of ${sweep.inputPath} over ${sweep.rows.length} values: ${metrics.join(', ')}.`;
  const spec = {
    data: { values },
    facet: { row: { field: 'metric', type: 'nominal', title: null, sort: metrics } },
    spec: {
      width: chartWidthPx,
      height: 110,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'input', type: 'quantitative', title: sweep.inputPath },
        y: { field: 'value', type: 'quantitative', title: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  return {
    id: `sweep-${index}`,
    title: `Sweep — ${sweep.inputPath}`,
    description,
    spec: topLevel(spec, description, false),
  };
}
