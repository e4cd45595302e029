/**
 * Calibration: the per-instance connection capacity measured by a load test, substituted into the
 * scenario's model in place of the document's assumption, and the model re-evaluated (by the model,
 * through the injected `evaluate`) for the fleet size and monthly cost.
 *
 * The measured capacity of one instance is the smaller of two bounds, both from the server's /metrics:
 *   memory-bound connections = memoryGB × 10^9 ÷ (bytes per connection measured)
 *   CPU-bound connections    = cpuCores × (messages/s per server core measured) ÷ (peak messages/s per connection)
 * where peak messages/s per connection = messages.perSecond.peak ÷ workload.concurrentConnections
 * (the document's own workload). The CPU bound assumes one server process per core.
 */
import type { LoadTestResult } from '../loadgen/outputs/result-schema.js';
import { pointValue } from '../scenarios/quantity.js';
import type { Scenario } from '../scenarios/schema.js';
import {
  meanServerValue,
  medianServerValue,
  serverMetricKeys,
  sustainedPerSecond,
} from './adapt-loadtest.js';
import type { ModelResultJson } from './adapt-model.js';
import { formatNumber } from './format.js';
import type { CalibrationRow, ReportCapacity } from './inputs.js';

/** Re-evaluates the scenario with `--set`-style overrides (the caller passes the model's API). */
export type EvaluateWithOverrides = (overrides: string[]) => ModelResultJson;

export const connectionMemoryKey = 'capsim_connection_memory_estimate_bytes';

/** The component that holds the concurrent connections (demand: workload.concurrentConnections). */
export function connectionComponent(scenario: Scenario): string | undefined {
  const entries = Object.entries(scenario.components ?? {});
  return (
    entries.find(([, component]) => component.demand === 'workload.concurrentConnections')?.[0] ??
    entries.find(([, component]) => component.demandUnit === 'connections')?.[0]
  );
}

export interface MeasuredConnectionCapacity {
  connectionsPerInstance: number;
  formulas: string[];
  caveat?: string;
}

/** Below this many connections, memory per connection is dominated by heap growth unrelated to them. */
export const firmEstimateConnections = 1_000;

/** The measured connections one instance of `componentName` can hold, or undefined if not measurable. */
export function measuredConnectionCapacity(
  scenario: Scenario,
  componentName: string,
  result: LoadTestResult,
  baseline: ModelResultJson,
): MeasuredConnectionCapacity | undefined {
  const component = scenario.components?.[componentName];
  const bounds: { value: number; formula: string }[] = [];
  const memoryGB =
    component?.perUnit?.memoryGB === undefined ? undefined : pointValue(component.perUnit.memoryGB);
  const bytesPerConnection = medianServerValue(result, connectionMemoryKey);
  if (memoryGB !== undefined && bytesPerConnection !== undefined && bytesPerConnection > 0) {
    const value = Math.floor((memoryGB * 1e9) / bytesPerConnection);
    bounds.push({
      value,
      formula: `memory bound = memoryGB × 10^9 ÷ bytes per connection = ${formatNumber(memoryGB)} × 10^9 ÷ ${formatNumber(bytesPerConnection)} = ${formatNumber(value)} (bytes per connection: median of the server's (RSS − RSS at start) ÷ connections at the peak)`,
    });
  }
  const cores =
    component?.perUnit?.cpuCores === undefined ? undefined : pointValue(component.perUnit.cpuCores);
  const serverCores = meanServerValue(result, serverMetricKeys.cpuCores);
  const peakPerSecond = baseline.metrics['messages.perSecond.peak']?.value;
  const concurrent =
    scenario.workload.concurrentConnections === undefined
      ? undefined
      : pointValue(scenario.workload.concurrentConnections);
  const acked = sustainedPerSecond(result, 'acked').value;
  if (
    cores !== undefined &&
    serverCores !== undefined &&
    serverCores > 0 &&
    peakPerSecond !== undefined &&
    concurrent !== undefined &&
    concurrent > 0 &&
    acked > 0
  ) {
    const perCore = acked / serverCores;
    const perConnection = peakPerSecond / concurrent;
    const value = Math.floor((cores * perCore) / perConnection);
    bounds.push({
      value,
      formula: `CPU bound = cpuCores × (msg/s per server core) ÷ (peak msg/s per connection) = ${formatNumber(cores)} × (${formatNumber(acked)} ÷ ${formatNumber(serverCores)}) ÷ (${formatNumber(peakPerSecond)} ÷ ${formatNumber(concurrent)}) = ${formatNumber(value)}`,
    });
  }
  if (bounds.length === 0) return undefined;
  const smallest = bounds.reduce((a, b) => (b.value < a.value ? b : a));
  const held = result.summary.connections.maxOpen;
  return {
    caveat:
      held < firmEstimateConnections
        ? `Estimated from a run holding only ${formatNumber(held)} connections, where memory and CPU per connection are noisy; for a firm figure, pass the results of capsim loadtest --find-capacity connections (or of a --slice run with thousands of connections) to capsim report.`
        : undefined,
    connectionsPerInstance: smallest.value,
    formulas: [
      ...bounds.map((bound) => bound.formula),
      `measured capacity = the smaller bound = ${formatNumber(smallest.value)} connections per instance`,
    ],
  };
}

/**
 * Connections per instance from a `--find-capacity` run: measured directly in `connections` mode; in
 * `messages` mode, the sustained rate ÷ the document's peak messages per second per connection.
 */
export function capacityFromFindCapacity(
  scenario: Scenario,
  capacity: ReportCapacity,
  baseline: ModelResultJson,
): MeasuredConnectionCapacity | undefined {
  if (capacity.mode === 'connections' && capacity.maxSustainableConnections !== null) {
    return {
      connectionsPerInstance: capacity.maxSustainableConnections,
      formulas: [
        `find-capacity (connections): the last step that met every threshold held ${formatNumber(capacity.maxSustainableConnections)} connections`,
      ],
    };
  }
  const sustained = capacity.maxSustainableMessagesPerSecond;
  const peakPerSecond = baseline.metrics['messages.perSecond.peak']?.value;
  const concurrent =
    scenario.workload.concurrentConnections === undefined
      ? undefined
      : pointValue(scenario.workload.concurrentConnections);
  if (
    capacity.mode !== 'messages' ||
    sustained === null ||
    peakPerSecond === undefined ||
    concurrent === undefined ||
    !(peakPerSecond > 0)
  ) {
    return undefined;
  }
  const perConnection = peakPerSecond / concurrent;
  const value = Math.floor(sustained / perConnection);
  return {
    connectionsPerInstance: value,
    formulas: [
      `find-capacity (messages): one instance sustains ${formatNumber(sustained)} msg/s`,
      `connections per instance = sustained msg/s ÷ (peak msg/s per connection) = ${formatNumber(sustained)} ÷ (${formatNumber(peakPerSecond)} ÷ ${formatNumber(concurrent)}) = ${formatNumber(value)}`,
    ],
  };
}

export function calibrateConnections(
  scenario: Scenario,
  result: LoadTestResult,
  baseline: ModelResultJson,
  evaluate: EvaluateWithOverrides,
  /** A direct measurement (find-capacity) to use instead of the estimate from server figures. */
  measuredOverride?: MeasuredConnectionCapacity,
): CalibrationRow | undefined {
  const name = connectionComponent(scenario);
  const component = name === undefined ? undefined : scenario.components?.[name];
  if (name === undefined || component?.capacityPerUnit === undefined) return undefined;
  const measured = measuredOverride ?? measuredConnectionCapacity(scenario, name, result, baseline);
  if (measured === undefined || measured.connectionsPerInstance <= 0) return undefined;
  const id = `components.${name}`;
  const recalibrated = evaluate([`${id}.capacityPerUnit=${measured.connectionsPerInstance}`]);
  const metric = (model: ModelResultJson, suffix: string) => model.metrics[`${id}.${suffix}`];
  const assumedInstances = metric(baseline, 'unitsRequired') ?? metric(baseline, 'units');
  const measuredInstances = metric(recalibrated, 'unitsRequired') ?? metric(recalibrated, 'units');
  if (assumedInstances === undefined || measuredInstances === undefined) return undefined;
  const cost = (model: ModelResultJson) => metric(model, 'costPerMonthUSD')?.value;
  const totalCost = recalibrated.metrics['costs.totalPerMonthUSD'];
  return {
    dimension: `Connections per ${name} instance`,
    unit: 'connections',
    assumedPerInstance: pointValue(component.capacityPerUnit),
    measuredPerInstance: measured.connectionsPerInstance,
    assumedInstances: assumedInstances.value,
    measuredInstances: measuredInstances.value,
    assumedMonthlyCostUsd: cost(baseline),
    measuredMonthlyCostUsd: cost(recalibrated),
    caveat: measured.caveat,
    formulas: [
      ...measured.formulas,
      `--set ${id}.capacityPerUnit=${measured.connectionsPerInstance}, then the model: ${id}.unitsRequired = ${measuredInstances.formula}`,
      ...(metric(recalibrated, 'costPerMonthUSD')
        ? [`${id}.costPerMonthUSD = ${metric(recalibrated, 'costPerMonthUSD')!.formula}`]
        : []),
      ...(totalCost ? [`costs.totalPerMonthUSD = ${formatNumber(totalCost.value)} USD/month`] : []),
    ],
  };
}

/** Why no calibration row could be made (for the report's notes). */
export function calibrationSkipReason(scenario: Scenario, result: LoadTestResult): string {
  const name = connectionComponent(scenario);
  if (name === undefined) return 'the scenario has no component sized by concurrent connections';
  const component = scenario.components?.[name];
  if (component?.capacityPerUnit === undefined) return `components.${name} has no capacityPerUnit to replace`;
  if (component.perUnit?.memoryGB === undefined && component.perUnit?.cpuCores === undefined) {
    return `components.${name} gives no memoryGB or cpuCores per instance to scale the measurement to`;
  }
  if ((result.server?.samples.length ?? 0) === 0)
    return "the server's /metrics were not scraped during the load test";
  return 'the server reported no memory per connection or CPU use at the peak';
}
