/** All charts of a report, in reading order; charts without data are left out. */
import type { ReportInput } from '../inputs.js';
import type { ReportChart } from './chart.js';
import {
  capacityStepsChart,
  connectionsChart,
  latencyChart,
  latencyPercentilesChart,
  throughputChart,
} from './load.js';
import { costBreakdownChart, sweepChart, tornadoChart } from './model.js';
import { serverResourcesChart } from './server.js';
import { backlogChart, stationQueueChart, stationUtilizationChart } from './simulation.js';

export type { ReportChart } from './chart.js';

/** Sections of the report the charts belong to. */
export interface ChartGroups {
  load: ReportChart[];
  simulation: ReportChart[];
  model: ReportChart[];
}

/** The latency SLO to draw: the delivery-latency requirement row if present (the verdict's own value). */
export function deliverySloMs(input: ReportInput): number | undefined {
  return input.requirements?.find(
    (row) => row.id === 'latency.delivery.p95' || row.id.startsWith('latency.delivery'),
  )?.required;
}

export function buildCharts(input: ReportInput): ChartGroups {
  const present = (chart: ReportChart | undefined): chart is ReportChart => chart !== undefined;
  const sloMs = deliverySloMs(input);
  const load = (input.loadTests ?? []).flatMap((test, index) =>
    [
      throughputChart(test, index),
      latencyChart(test, sloMs, index) ?? latencyPercentilesChart(test, sloMs, index),
      connectionsChart(test, index),
      serverResourcesChart(test, index),
    ].filter(present),
  );
  const capacity = input.capacity ? capacityStepsChart(input.capacity) : undefined;
  if (capacity) load.unshift(capacity);
  const simulation = input.simulation
    ? [
        stationUtilizationChart(input.simulation),
        stationQueueChart(input.simulation),
        backlogChart(input.simulation),
      ].filter(present)
    : [];
  const model = [
    costBreakdownChart(input.model?.costBreakdown ?? []),
    ...(input.model?.sensitivity ?? []).map((entry, index) => tornadoChart(entry, index)),
    ...(input.model?.sweeps ?? []).map((sweep, index) => sweepChart(sweep, index)),
  ].filter(present);
  return { load, simulation, model };
}

export function allCharts(groups: ChartGroups): ReportChart[] {
  return [...groups.load, ...groups.simulation, ...groups.model];
}
