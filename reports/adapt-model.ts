/**
 * The analytic model's JSON (issue 2: `{ scenario, metrics, checks }`) → the report's model view, and
 * the model-only verdict rows: each capacity shortfall the document computes (demand vs today's
 * capacity), so an architect's report reads like the document's summary table.
 */
import type { ModelResult } from '../model/evaluate.js';
import type {
  ReportCostItem,
  ReportModel,
  ReportModelMetric,
  ReportSensitivity,
  ReportSweep,
  RequirementRow,
} from './inputs.js';

/** The stable JSON of `capsim model --json` (MODEL's ModelResult). */
export type ModelResultJson = ModelResult;

/** Tornado charts shown at most, and inputs per tornado (the ones that move the output most). */
export const maxTornadoCharts = 4;
export const maxTornadoInputs = 10;

/** Monthly cost line items: per-component costs, fixed items and bandwidth (what costs.totalPerMonthUSD sums). */
export function costBreakdownFromMetrics(metrics: Record<string, ReportModelMetric>): ReportCostItem[] {
  const items: ReportCostItem[] = [];
  for (const [id, metric] of Object.entries(metrics)) {
    const component = /^components\.([^.]+)\.costPerMonthUSD$/.exec(id)?.[1];
    if (component !== undefined) items.push({ component, monthlyCostUsd: metric.value });
    else if (id.startsWith('costs.fixed.'))
      items.push({ component: id.slice('costs.fixed.'.length), monthlyCostUsd: metric.value });
    else if (id === 'costs.bandwidthPerMonthUSD')
      items.push({ component: 'bandwidth', monthlyCostUsd: metric.value });
  }
  return items;
}

function adaptSensitivity(result: ModelResultJson): ReportSensitivity[] {
  return (result.sensitivity ?? []).slice(0, maxTornadoCharts).map((ranking) => ({
    outputId: ranking.metric,
    outputUnit: result.metrics[ranking.metric]?.unit ?? '',
    baseline: ranking.base,
    inputs: ranking.inputs
      .filter((input) => Number.isFinite(input.outputAtLow) && Number.isFinite(input.outputAtHigh))
      .sort((a, b) => b.swing - a.swing)
      .slice(0, maxTornadoInputs)
      .map((input) => ({
        inputPath: input.input,
        low: input.inputLow,
        high: input.inputHigh,
        outputAtLow: input.outputAtLow,
        outputAtHigh: input.outputAtHigh,
      })),
  }));
}

function adaptSweep(result: ModelResultJson): ReportSweep[] {
  if (result.sweep === undefined) return [];
  return [
    {
      inputPath: result.sweep.input,
      rows: result.sweep.rows.map((row) => ({
        inputValue: row.value,
        metrics: Object.fromEntries(
          Object.entries(row.metrics).filter((entry): entry is [string, number] => entry[1] !== null),
        ),
      })),
    },
  ];
}

export function adaptModel(result: ModelResultJson): ReportModel {
  return {
    metrics: result.metrics,
    checks: result.checks,
    costBreakdown: costBreakdownFromMetrics(result.metrics),
    sensitivity: adaptSensitivity(result),
    sweeps: adaptSweep(result),
  };
}

/** Demand metrics paired with the system-wide shortfall ratios the model computes from `current:`. */
const systemShortfalls: { shortfallId: string; demandId: string; dimension: string }[] = [
  {
    shortfallId: 'messages.shortfall.avg',
    demandId: 'messages.perMinute.avg',
    dimension: 'Message throughput (average)',
  },
  {
    shortfallId: 'messages.shortfall.peak',
    demandId: 'messages.perMinute.peak',
    dimension: 'Message throughput (peak)',
  },
  { shortfallId: 'users.shortfall', demandId: 'workload.registeredUsers', dimension: 'Registered users' },
];

/**
 * Required vs today's capacity for every shortfall the model derives: `current = demand ÷ shortfall`
 * (the model defines shortfall = demand ÷ current capacity). These rows have basis `current`.
 */
export function shortfallRows(metrics: Record<string, ReportModelMetric>): RequirementRow[] {
  const rows: RequirementRow[] = [];
  for (const { shortfallId, demandId, dimension } of systemShortfalls) {
    const shortfall = metrics[shortfallId];
    const demand = metrics[demandId];
    if (shortfall === undefined || demand === undefined || !(shortfall.value > 0)) continue;
    rows.push({
      id: shortfallId,
      dimension,
      unit: demand.unit,
      required: demand.value,
      measured: demand.value / shortfall.value,
      direction: 'atLeast',
      basis: 'current',
      requiredFormula: `${demandId}: ${demand.formula}`,
      measuredFrom: `today's capacity = demand ÷ shortfall; ${shortfallId}: ${shortfall.formula}`,
    });
  }
  for (const [id, shortfall] of Object.entries(metrics)) {
    const name = /^components\.([^.]+)\.shortfall$/.exec(id)?.[1];
    const demand = metrics[`components.${name}.demand`];
    if (name === undefined || demand === undefined || !(shortfall.value > 0)) continue;
    rows.push({
      id,
      dimension: `${name} (${demand.unit})`,
      unit: demand.unit,
      required: demand.value,
      measured: demand.value / shortfall.value,
      direction: 'atLeast',
      basis: 'current',
      requiredFormula: `components.${name}.demand: ${demand.formula}`,
      measuredFrom: `deployed capacity (unitsDeployed × capacityPerUnit); ${id}: ${shortfall.formula}`,
    });
  }
  return rows;
}
