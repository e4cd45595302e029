/**
 * simulateScenario: the discrete-event simulation of a scenario's pipeline as stable JSON. The slice
 * (1/factor of the system, by symmetry) gets the analytic model's offered load; independent
 * replications run on worker threads and every figure is a mean with a 95 % confidence interval.
 * End-to-end latency percentiles are judged against the scenario's SLO. No wall-clock data in the
 * result, so the same seed gives byte-identical JSON.
 */
import { CapsimError } from '../../common/errors.js';
import type { Scenario } from '../../scenarios/schema.js';
import { pointValue, type Quantity } from '../../scenarios/quantity.js';
import { estimate, consistent, type Estimate } from './estimate.js';
import { runReplications } from './replications.js';
import { analyticUtilizations, resolvePipeline } from './resolve-pipeline.js';
import type { LatencySummaryMs } from './station-stats.js';

export interface SimulateOptions {
  /** Simulated seconds per replication (default: the pipeline's durationS, else 60). */
  durationS?: number;
  seed?: number;
  /** Independent replications (default 5). */
  replications?: number;
  /** Worker threads (default: cores; 1 runs in this thread). */
  threads?: number;
  /** Analytic-model metric values by id (default: evaluateModel on the scenario). */
  metrics?: Record<string, number>;
  onProgress?: (done: number, total: number) => void;
}

export interface LatencyEstimates {
  meanMs: Estimate;
  p50Ms: Estimate;
  p90Ms: Estimate;
  p95Ms: Estimate;
  p99Ms: Estimate;
  p999Ms: Estimate;
  /** Largest value seen in any replication. */
  maxMs: number;
}

export interface StationResult {
  name: string;
  type: 'service' | 'batch';
  servers: number;
  component?: string;
  utilization: Estimate;
  /** λ·E[S]/c from the model's offered load (null where the load is not stationary). */
  analyticUtilization: number | null;
  analyticApproximate: boolean;
  utilizationConsistent: boolean | null;
  /** The analytic model's `components.<component>.utilization` (whole system), when linked. */
  modelComponentUtilization?: number;
  arrivalsPerSecond: Estimate;
  throughputPerSecond: Estimate;
  waitProbability: Estimate;
  meanQueueLength: Estimate;
  maxQueueLength: number;
  meanInStation: Estimate;
  drops: Estimate;
  timeouts: Estimate;
  retries: Estimate;
  failed: Estimate;
  wait: LatencyEstimates;
  sojourn: LatencyEstimates;
  meanBatchSize?: Estimate;
  /** L vs λW on the pooled means (relative error). */
  littlesLaw: { meanInStation: number; arrivalRateTimesSojourn: number; relativeError: number };
  /** Jobs in the station over time (mean over replications). */
  backlog: { timesS: number[]; jobs: number[] };
}

export interface SinkResult {
  name: string;
  perSecond: Estimate;
  /** The whole system by symmetry: perSecond × slice factor. */
  fleetPerSecond: Estimate;
  latency: LatencyEstimates;
}

export interface SourceResult {
  name: string;
  completedPerSecond: Estimate;
  /** The whole system by symmetry: completedPerSecond × slice factor. */
  fleetCompletedPerSecond: Estimate;
  failed: Estimate;
  /** Time of the last completion (finite backlogs: the drain time), seconds. */
  lastCompletionS: Estimate;
}

export interface SloCheck {
  objective: string;
  sink: string;
  percentile: string;
  targetMs: number;
  simulatedMs: Estimate;
  /** Mean over replications within target. */
  pass: boolean;
  /** The whole confidence interval is within target. */
  confident: boolean;
}

export interface SimulationResult {
  scenario: string;
  seed: number;
  replications: number;
  durationS: number;
  warmupS: number;
  slice: { factor: number; unit: string };
  events: number;
  peakEntitiesInFlight: number;
  stations: StationResult[];
  sinks: SinkResult[];
  ack: LatencyEstimates | null;
  sources: SourceResult[];
  slo: { verdict: 'pass' | 'fail' | 'none'; checks: SloCheck[] };
}

const percentileKeys = {
  p50: 'p50Ms',
  p90: 'p90Ms',
  p95: 'p95Ms',
  p99: 'p99Ms',
  p999: 'p999Ms',
  max: 'maxMs',
} as const;

function latencyEstimates(summaries: LatencySummaryMs[]): LatencyEstimates {
  const of = (key: keyof LatencySummaryMs) => estimate(summaries.map((summary) => summary[key]));
  return {
    meanMs: of('meanMs'),
    p50Ms: of('p50Ms'),
    p90Ms: of('p90Ms'),
    p95Ms: of('p95Ms'),
    p99Ms: of('p99Ms'),
    p999Ms: of('p999Ms'),
    maxMs: Math.max(0, ...summaries.map((summary) => summary.maxMs)),
  };
}

function scaled(value: Estimate, factor: number): Estimate {
  return { mean: value.mean * factor, ciLow: value.ciLow * factor, ciHigh: value.ciHigh * factor };
}

async function modelMetrics(scenario: Scenario): Promise<Record<string, number>> {
  const { evaluateModel } = await import('../evaluate.js');
  const result = evaluateModel(scenario, { samples: 0, sensitivity: false });
  return Object.fromEntries(Object.entries(result.metrics).map(([id, metric]) => [id, metric.value]));
}

export async function simulateScenario(
  scenario: Scenario,
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  const spec = scenario.pipeline;
  if (spec === undefined) {
    throw new CapsimError(
      'E_NO_PIPELINE',
      `scenario "${scenario.name}" has no pipeline: section to simulate`,
      {
        problems: [{ path: 'pipeline', message: 'missing', expected: 'a pipeline: section (see docs)' }],
      },
    );
  }
  const metrics = options.metrics ?? (await modelMetrics(scenario));
  const peakFactorInput = scenario.workload.peakFactor as Quantity | undefined;
  const pipeline = resolvePipeline(spec, {
    metric: (id) => metrics[id],
    metricIds: () => Object.keys(metrics),
    peakFactor: peakFactorInput === undefined ? 1 : pointValue(peakFactorInput),
  });
  const durationS = options.durationS ?? spec.durationS ?? 60;
  if (!(durationS > 0))
    throw new CapsimError('E_BAD_DURATION', 'duration must be positive', {
      problems: [{ path: '--duration', message: 'must be > 0', found: String(durationS) }],
    });
  const warmupS = Math.min(spec.warmupS ?? durationS * 0.1, durationS / 2);
  const seed = options.seed ?? 1;
  const replications = Math.max(2, Math.round(options.replications ?? 5));
  const durationMs = durationS * 1000;
  const results = await runReplications(pipeline, {
    seed,
    replications,
    durationMs,
    warmupMs: warmupS * 1000,
    backlogSamples: 60,
    threads: options.threads,
    onProgress: options.onProgress,
  });
  const analytic = analyticUtilizations(pipeline, durationMs - warmupS * 1000);

  const stations: StationResult[] = pipeline.stations.map((stationSpec, index) => {
    const per = results.map((result) => result.stations[index]);
    const of = (value: (stats: (typeof per)[number]) => number) => estimate(per.map(value));
    const utilization = of((stats) => stats.utilization);
    const expected = analytic.utilization[index];
    const meanInStation = of((stats) => stats.meanInStation).mean;
    const lambdaW = estimate(
      per.map((stats) => (stats.arrivalsPerSecond / 1000) * stats.sojourn.meanMs),
    ).mean;
    const times = results[0].backlog.timesMs.map((time) => time / 1000);
    const backlogJobs = times.map((_, point) => {
      const values = results.map((result) => result.backlog.stations[stationSpec.name][point]);
      return values.reduce((sum, value) => sum + value, 0) / values.length;
    });
    const station: StationResult = {
      name: stationSpec.name,
      type: stationSpec.type === 'batch' ? 'batch' : 'service',
      servers: stationSpec.servers,
      utilization,
      analyticUtilization: expected,
      analyticApproximate: analytic.approximate[index],
      utilizationConsistent:
        expected === null
          ? null
          : consistent(expected, utilization, 0.02) || Math.abs(expected - utilization.mean) < 0.005,
      arrivalsPerSecond: of((stats) => stats.arrivalsPerSecond),
      throughputPerSecond: of((stats) => stats.throughputPerSecond),
      waitProbability: of((stats) => stats.waitProbability),
      meanQueueLength: of((stats) => stats.meanQueueLength),
      maxQueueLength: Math.max(...per.map((stats) => stats.maxQueueLength)),
      meanInStation: of((stats) => stats.meanInStation),
      drops: of((stats) => stats.drops),
      timeouts: of((stats) => stats.timeouts),
      retries: of((stats) => stats.retries),
      failed: of((stats) => stats.failed),
      wait: latencyEstimates(per.map((stats) => stats.wait)),
      sojourn: latencyEstimates(per.map((stats) => stats.sojourn)),
      littlesLaw: {
        meanInStation,
        arrivalRateTimesSojourn: lambdaW,
        relativeError: meanInStation > 0 ? Math.abs(lambdaW - meanInStation) / meanInStation : 0,
      },
      backlog: { timesS: times, jobs: backlogJobs },
    };
    if (stationSpec.component !== undefined) {
      station.component = stationSpec.component;
      const model = metrics[`components.${stationSpec.component}.utilization`];
      if (model !== undefined) station.modelComponentUtilization = model;
    }
    if (stationSpec.type === 'batch') station.meanBatchSize = of((stats) => stats.meanBatchSize ?? 0);
    return station;
  });

  // The implicit sinks (`exit`, `reconnected`) appear only when something reached them.
  const sinks: SinkResult[] = results[0].sinks
    .map((sink, index) => ({
      name: sink.name,
      used:
        results.some((result) => result.sinks[index].count > 0) ||
        pipeline.sinks.some((spec) => spec.name === sink.name),
      perSecond: estimate(results.map((result) => result.sinks[index].perSecond)),
      latency: latencyEstimates(results.map((result) => result.sinks[index].latency)),
    }))
    .filter((sink) => sink.used)
    .map(({ name, perSecond, latency }) => ({
      name,
      perSecond,
      fleetPerSecond: scaled(perSecond, pipeline.sliceFactor),
      latency,
    }));
  const ack = results.every((result) => result.ack !== null)
    ? latencyEstimates(results.map((result) => result.ack as LatencySummaryMs))
    : null;
  const sources: SourceResult[] = results[0].sources.map((source, index) => ({
    name: source.name,
    completedPerSecond: estimate(results.map((result) => result.sources[index].completedPerSecond)),
    fleetCompletedPerSecond: scaled(
      estimate(results.map((result) => result.sources[index].completedPerSecond)),
      pipeline.sliceFactor,
    ),
    failed: estimate(results.map((result) => result.sources[index].failed)),
    lastCompletionS: estimate(results.map((result) => result.sources[index].lastCompletionMs / 1000)),
  }));

  return {
    scenario: scenario.name,
    seed,
    replications,
    durationS,
    warmupS,
    slice: { factor: pipeline.sliceFactor, unit: pipeline.sliceUnit },
    events: results.reduce((sum, result) => sum + result.events, 0),
    peakEntitiesInFlight: Math.max(...results.map((result) => result.peakEntitiesInFlight)),
    stations,
    sinks,
    ack,
    sources,
    slo: sloVerdict(scenario, pipeline.sinks, sinks, ack),
  };
}

function sloVerdict(
  scenario: Scenario,
  sinkSpecs: {
    name: string;
    slo?: 'deliveryLatencyMs' | 'ackLatencyMs';
    sloMs?: Record<string, number | undefined>;
  }[],
  sinks: SinkResult[],
  ack: LatencyEstimates | null,
): SimulationResult['slo'] {
  const checks: SloCheck[] = [];
  const judge = (
    objective: string,
    sink: string,
    targets: Record<string, number | undefined>,
    latency: LatencyEstimates,
  ) => {
    for (const [percentile, targetMs] of Object.entries(targets)) {
      if (targetMs === undefined || !(percentile in percentileKeys)) continue;
      const key = percentileKeys[percentile as keyof typeof percentileKeys];
      const simulatedMs: Estimate =
        key === 'maxMs' ? { mean: latency.maxMs, ciLow: latency.maxMs, ciHigh: latency.maxMs } : latency[key];
      checks.push({
        objective,
        sink,
        percentile,
        targetMs,
        simulatedMs,
        pass: simulatedMs.mean <= targetMs,
        confident: simulatedMs.ciHigh <= targetMs,
      });
    }
  };
  for (const spec of sinkSpecs) {
    const result = sinks.find((sink) => sink.name === spec.name);
    if (result === undefined) continue;
    if (spec.sloMs !== undefined) judge(`sink ${spec.name}`, spec.name, spec.sloMs, result.latency);
    const targets = spec.slo === undefined ? undefined : scenario.slo?.[spec.slo];
    if (spec.slo !== undefined && targets !== undefined) judge(spec.slo, spec.name, targets, result.latency);
  }
  const ackTargets = scenario.slo?.ackLatencyMs;
  if (ack !== null && ackTargets !== undefined) judge('ackLatencyMs', 'ack', ackTargets, ack);
  const verdict = checks.length === 0 ? 'none' : checks.every((check) => check.pass) ? 'pass' : 'fail';
  return { verdict, checks };
}
