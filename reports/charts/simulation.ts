/** Charts of the discrete-event simulation: station utilizations, queue lengths and backlog over time. */
import type { ReportSimulation } from '../inputs.js';
import { downsample, referenceLineLayers, topLevel, type ReportChart, type SpecObject } from './chart.js';

/** Utilization per station (0–100 %), with the saturation line at 100 %. */
export function stationUtilizationChart(simulation: ReportSimulation): ReportChart | undefined {
  if (simulation.stations.length === 0) return undefined;
  const values = simulation.stations.map((station) => ({
    station: station.name,
    utilizationPercent: station.utilization * 100,
    saturated:
      station.utilization >= 1 ? 'saturated' : station.utilization >= 0.8 ? 'above 80 %' : 'below 80 %',
  }));
  const busiest = [...simulation.stations].sort((a, b) => b.utilization - a.utilization)[0];
  const description =
    `Simulated utilization of each of the ${simulation.stations.length} stations; ` +
    `the busiest is ${busiest.name} at ${(busiest.utilization * 100).toFixed(1)} %.`;
  const layers: SpecObject[] = [
    {
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'station', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } },
        y: { field: 'utilizationPercent', type: 'quantitative', title: 'utilization (%)' },
        color: {
          field: 'saturated',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['below 80 %', 'above 80 %', 'saturated'],
            range: ['#2ca02c', '#ff7f0e', '#d62728'],
          },
        },
      },
    },
    ...referenceLineLayers(100, 'saturation'),
  ];
  return {
    id: 'sim-utilization',
    title: 'Simulated station utilization',
    description,
    spec: topLevel({ layer: layers }, description),
  };
}

/** Mean queue length per station with its maximum as a tick. */
export function stationQueueChart(simulation: ReportSimulation): ReportChart | undefined {
  if (simulation.stations.length === 0) return undefined;
  const values = simulation.stations.map((station) => ({
    station: station.name,
    mean: station.queueLengthMean,
    max: station.queueLengthMax,
  }));
  const description = `Simulated queue length per station: bars are the mean, black ticks the maximum.`;
  const x = { field: 'station', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } };
  const spec = {
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: '#1f77b4' },
        encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'queue length' } },
      },
      {
        mark: { type: 'tick', color: 'black', thickness: 2 },
        encoding: { x, y: { field: 'max', type: 'quantitative' } },
      },
    ],
  };
  return {
    id: 'sim-queues',
    title: 'Simulated queue lengths',
    description,
    spec: topLevel(spec, description),
  };
}

/** Queue length over simulated time for the stations that report a backlog series. */
export function backlogChart(simulation: ReportSimulation): ReportChart | undefined {
  const values = simulation.stations.flatMap((station) =>
    downsample(station.backlog ?? [], 300).map((point) => ({
      station: station.name,
      timeS: point.timeS,
      queueLength: point.queueLength,
    })),
  );
  if (values.length === 0) return undefined;
  const description = `Backlog over simulated time: jobs in each station (queue and service), mean over replications.`;
  const spec = {
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'timeS', type: 'quantitative', title: 'simulated time (s)' },
      y: { field: 'queueLength', type: 'quantitative', title: 'jobs in station' },
      color: { field: 'station', type: 'nominal', title: null },
    },
  };
  return {
    id: 'sim-backlog',
    title: 'Simulated backlog over time',
    description,
    spec: topLevel(spec, description),
  };
}
