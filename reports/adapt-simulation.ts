/**
 * SIM's SimulationResult (`capsim simulate --json`) → the report's simulation view: replication means
 * per station, the backlog series, end-to-end latency and the SLO verdict.
 */
import type { LatencyEstimates, SimulationResult } from '../model/sim/simulate-scenario.js';
import { formatNumber } from './format.js';
import type { LatencyPercentilesMs, ReportSimulation } from './inputs.js';

function percentiles(latency: LatencyEstimates): LatencyPercentilesMs {
  return { p50: latency.p50Ms.mean, p95: latency.p95Ms.mean, p99: latency.p99Ms.mean, max: latency.maxMs };
}

export function adaptSimulation(result: SimulationResult): ReportSimulation {
  const sloSink = result.slo.checks[0]?.sink;
  const sink = result.sinks.find((candidate) => candidate.name === sloSink) ?? result.sinks[0];
  const checks = result.slo.checks.map(
    (check) =>
      `${check.objective}: ${check.sink} ${check.percentile} ${formatNumber(check.simulatedMs.mean)} ms (95 % CI ${formatNumber(check.simulatedMs.ciLow)}–${formatNumber(check.simulatedMs.ciHigh)}) vs ${formatNumber(check.targetMs)} ms`,
  );
  return {
    durationS: result.durationS,
    replications: result.replications,
    sliceFactor: result.slice.factor,
    sliceDescription:
      result.slice.factor === 1
        ? undefined
        : `1/${formatNumber(result.slice.factor)} of the system (${result.slice.unit}), by symmetry`,
    stations: result.stations.map((station) => ({
      name: station.name,
      utilization: station.utilization.mean,
      utilizationCi: [station.utilization.ciLow, station.utilization.ciHigh],
      analyticUtilization: station.analyticUtilization ?? undefined,
      queueLengthMean: station.meanQueueLength.mean,
      queueLengthMax: station.maxQueueLength,
      waitMs: percentiles(station.wait),
      throughputPerSecond: station.throughputPerSecond.mean,
      drops: station.drops.mean,
      backlog: station.backlog.timesS.map((timeS, index) => ({
        timeS,
        queueLength: station.backlog.jobs[index],
      })),
    })),
    endToEndLatencyMs: sink === undefined ? undefined : percentiles(sink.latency),
    slo:
      result.slo.verdict === 'none'
        ? undefined
        : { description: checks.join('; '), pass: result.slo.verdict === 'pass' },
  };
}
