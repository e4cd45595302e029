/**
 * The simulator's validation suite (`capsim validate --sim`, also run by the tests): the engine against
 * closed-form queueing results and the documents' own arithmetic.
 * - M/M/1 and M/M/4 at ρ = 0.5, 0.8, 0.9, 0.95: utilization, P(wait), mean wait, mean queue length.
 * - M/D/1 at ρ = 0.8 against Pollaczek–Khinchine.
 * - A write buffer (flush at 100 jobs or 100 ms) against its analytic mean batch size and sojourn.
 * - The 003 device workers (5–15 s uniform delays): 360 sends per device-hour, 25.92 M sends/day for
 *   3,000 devices, and the backlog drain time of 11,000 records per device.
 * - Little's law L = λW on every station of every run above.
 * A case passes when the expected value lies in the 95 % replication confidence interval, or within the
 * case's stated relative tolerance (reported in `tolerance`) — independent replications, fixed seed.
 */
import { batching, mg1MeanWaitMs, mmc } from './closed-form.js';
import { estimate, type Estimate } from './estimate.js';
import { runReplications } from './replications.js';
import type { ReplicationResult } from './network.js';
import type { ResolvedPipeline, ResolvedStation } from './resolved.js';
import type { DistributionSpec } from './distributions.js';

export interface SimValidationCase {
  name: string;
  metric: string;
  expected: number;
  simulated: number;
  relativeError: number;
  ciLow: number;
  ciHigh: number;
  /** Relative error accepted when the expected value falls outside the CI. */
  tolerance: number;
  pass: boolean;
}

export interface SimValidationOptions {
  /** 'quick' (tests, a few seconds) or 'full' (CLI default: 4× longer runs). */
  level?: 'quick' | 'full';
  seed?: number;
  replications?: number;
  threads?: number;
}

function makeCase(
  name: string,
  metric: string,
  expected: number,
  interval: Estimate,
  tolerance: number,
): SimValidationCase {
  const relativeError =
    expected === 0 ? Math.abs(interval.mean) : Math.abs(interval.mean - expected) / Math.abs(expected);
  const inside = expected >= interval.ciLow && expected <= interval.ciHigh;
  return {
    name,
    metric,
    expected,
    simulated: interval.mean,
    relativeError,
    ciLow: interval.ciLow,
    ciHigh: interval.ciHigh,
    tolerance,
    pass: inside || relativeError <= tolerance,
  };
}

/** A station spec without name and routes (distributed over the union of station types). */
type StationBody = ResolvedStation extends infer S
  ? S extends unknown
    ? Omit<S, 'name' | 'routes'>
    : never
  : never;

function singleStation(ratePerSecond: number, station: StationBody): ResolvedPipeline {
  return {
    sliceFactor: 1,
    sliceUnit: 'the whole system',
    sources: [{ name: 'arrivals', type: 'open', ratePerSecond, routes: [{ to: 'station', probability: 1 }] }],
    stations: [{ ...station, name: 'station', routes: [{ to: 'exit', probability: 1 }] } as ResolvedStation],
    sinks: [],
    failures: [],
  };
}

/** Little's law on every station: L (time average) against λ·W (arrival rate × mean sojourn). */
function littlesLaw(run: string, results: ReplicationResult[]): SimValidationCase[] {
  const names = results[0]?.stations.map((station) => station.name) ?? [];
  return names.map((name, index) => {
    const inStation = results.map((result) => result.stations[index].meanInStation);
    const lambdaW = results.map(
      (result) => (result.stations[index].arrivalsPerSecond / 1000) * result.stations[index].sojourn.meanMs,
    );
    const expected = estimate(inStation).mean;
    return makeCase(
      `${run} / ${name}`,
      "Little's law: λ·W vs time-average L",
      expected,
      estimate(lambdaW),
      0.02,
    );
  });
}

const pick = (results: ReplicationResult[], value: (result: ReplicationResult) => number) =>
  estimate(results.map(value));

export async function runSimValidation(options: SimValidationOptions = {}): Promise<SimValidationCase[]> {
  const scale = options.level === 'quick' ? 1 : 4;
  const seed = options.seed ?? 20_260_101;
  const replications = options.replications ?? 8;
  const threads = options.threads;
  const cases: SimValidationCase[] = [];
  let runNumber = 0;
  // Each run gets its own seed, so the cases are independent of one another.
  const run = (pipeline: ResolvedPipeline, durationMs: number, warmupMs: number, count = replications) =>
    runReplications(pipeline, {
      seed: seed + 1_000 * ++runNumber,
      replications: count,
      durationMs,
      warmupMs,
      backlogSamples: 1,
      threads,
    });

  // M/M/c, mean service 1 ms, λ = ρ·c per ms; runs long enough for the slower relaxation at high ρ.
  const customers: Record<number, number> = { 0.5: 40_000, 0.8: 80_000, 0.9: 150_000, 0.95: 300_000 };
  const waitTolerance: Record<number, number> = { 0.5: 0.03, 0.8: 0.03, 0.9: 0.04, 0.95: 0.06 };
  for (const servers of [1, 4]) {
    for (const rho of [0.5, 0.8, 0.9, 0.95]) {
      const perMs = rho * servers;
      const exact = mmc(perMs, 1, servers);
      const durationMs = (customers[rho] * scale) / perMs;
      const results = await run(
        singleStation(perMs * 1000, { servers, service: { dist: 'exponential', meanMs: 1 } }),
        durationMs,
        durationMs * 0.05,
      );
      const name = `M/M/${servers} ρ=${rho}`;
      const station = (result: ReplicationResult) => result.stations[0];
      cases.push(
        makeCase(
          name,
          'utilization',
          exact.utilization,
          pick(results, (r) => station(r).utilization),
          0.01,
        ),
      );
      cases.push(
        makeCase(
          name,
          'P(wait) (Erlang C)',
          exact.waitProbability,
          pick(results, (r) => station(r).waitProbability),
          0.02,
        ),
      );
      cases.push(
        makeCase(
          name,
          'mean wait (ms)',
          exact.meanWaitMs,
          pick(results, (r) => station(r).wait.meanMs),
          waitTolerance[rho],
        ),
      );
      cases.push(
        makeCase(
          name,
          'mean queue length',
          exact.meanQueueLength,
          pick(results, (r) => station(r).meanQueueLength),
          waitTolerance[rho],
        ),
      );
      cases.push(...littlesLaw(name, results));
    }
  }

  // M/D/1 at ρ = 0.8 against Pollaczek–Khinchine.
  {
    const perMs = 0.8;
    const durationMs = (100_000 * scale) / perMs;
    const results = await run(
      singleStation(perMs * 1000, { servers: 1, service: 1 }),
      durationMs,
      durationMs * 0.05,
    );
    const expectedWait = mg1MeanWaitMs(perMs, 1, 0);
    const name = 'M/D/1 ρ=0.8';
    cases.push(
      makeCase(
        name,
        'mean wait (ms, Pollaczek–Khinchine)',
        expectedWait,
        pick(results, (r) => r.stations[0].wait.meanMs),
        0.03,
      ),
    );
    cases.push(
      makeCase(
        name,
        'mean queue length',
        perMs * expectedWait,
        pick(results, (r) => r.stations[0].meanQueueLength),
        0.03,
      ),
    );
    cases.push(...littlesLaw(name, results));
  }

  // Write buffer: flush at 100 jobs or 100 ms, 800 jobs/s, ample servers, service 2 ms + 0.01 ms/job.
  {
    const perMs = 0.8;
    const exact = batching(perMs, 100, 100, 2, 0.01);
    const durationMs = 200_000 * scale;
    const results = await run(
      singleStation(perMs * 1000, {
        type: 'batch',
        servers: 64,
        maxBatch: 100,
        maxDelayMs: 100,
        baseMs: 2,
        perItemMs: 0.01,
      }),
      durationMs,
      1_000,
    );
    const name = 'batching N=100 T=100ms λ=800/s';
    cases.push(
      makeCase(
        name,
        'mean batch size',
        exact.meanBatchSize,
        pick(results, (r) => r.stations[0].meanBatchSize ?? 0),
        0.01,
      ),
    );
    cases.push(
      makeCase(
        name,
        'mean sojourn (ms)',
        exact.meanSojournMs,
        pick(results, (r) => r.stations[0].sojourn.meanMs),
        0.01,
      ),
    );
    cases.push(...littlesLaw(name, results));
  }

  cases.push(...(await deviceWorkerCases(run, scale)));
  return cases;
}

type Runner = (
  pipeline: ResolvedPipeline,
  durationMs: number,
  warmupMs: number,
  count?: number,
) => Promise<ReplicationResult[]>;

/** 003: device workers send one message per uniform 5–15 s delay (mean 10 s → 360 per hour). */
/**
 * The 003 figures as the analytic model derives them from the bundled scenario (so the simulation
 * checks the model's numbers), falling back to the document's own when the scenario cannot be loaded.
 */
async function broadcastFigures(): Promise<{
  devices: number;
  sendsPerDeviceHour: number;
  sendsPerDay: number;
  recordsPerDevice: number;
  drainHours: number;
}> {
  const fallback = {
    devices: 3_000,
    sendsPerDeviceHour: 360,
    sendsPerDay: 25_920_000,
    recordsPerDevice: 11_000,
    drainHours: 110_000 / 3_600,
  };
  try {
    const { loadScenario } = await import('../../scenarios/load.js');
    const { evaluateModel } = await import('../evaluate.js');
    const metrics = evaluateModel(await loadScenario('broadcast-3000-devices'), {
      samples: 0,
      sensitivity: false,
    }).metrics;
    const value = (id: string, otherwise: number) => metrics[id]?.value ?? otherwise;
    return {
      devices: value('broadcast.devices', fallback.devices),
      sendsPerDeviceHour: value('broadcast.sendsPerDevicePerHour', fallback.sendsPerDeviceHour),
      sendsPerDay: value('broadcast.sendsPerDay', fallback.sendsPerDay),
      recordsPerDevice: value('broadcast.recordsPerDevice', fallback.recordsPerDevice),
      drainHours: value('broadcast.backlogDrainHours', fallback.drainHours),
    };
  } catch {
    return fallback;
  }
}

async function deviceWorkerCases(run: Runner, scale: number): Promise<SimValidationCase[]> {
  // The document's delay: uniform 5–15 s between two sends of a device (mean 10 s).
  const delay: DistributionSpec = { dist: 'uniform', minMs: 5_000, maxMs: 15_000 };
  const figures = await broadcastFigures();
  const devices = Math.round(figures.devices);
  const sendsPerDeviceHour = figures.sendsPerDeviceHour;
  const workers = (clients: number, jobsPerClient: number): ResolvedPipeline => ({
    sliceFactor: 1,
    sliceUnit: 'the whole fleet',
    sources: [
      {
        name: 'devices',
        type: 'closed',
        clients,
        thinkTime: delay,
        jobsPerClient,
        routes: [{ to: 'send', probability: 1 }],
      },
    ],
    // The send itself: every device has its own sender, so no device waits for another.
    stations: [
      {
        name: 'send',
        servers: clients,
        service: 0,
        routes: [{ to: 'exit', probability: 1 }],
      } as ResolvedStation,
    ],
    sinks: [],
    failures: [],
  });
  const cases: SimValidationCase[] = [];
  const fleet = await run(workers(devices, Infinity), 300_000 * scale, 60_000, 6);
  const perSecond = fleet.map((result) => result.sources[0].completedPerSecond);
  const name = `003 device workers (${devices.toLocaleString('en-US')} devices)`;
  cases.push(
    makeCase(
      name,
      'sends per device-hour',
      sendsPerDeviceHour,
      estimate(perSecond.map((rate) => (rate * 3_600) / devices)),
      0.01,
    ),
  );
  cases.push(
    makeCase(
      name,
      'sends per day, fleet',
      figures.sendsPerDay,
      estimate(perSecond.map((rate) => rate * 86_400)),
      0.01,
    ),
  );
  cases.push(...littlesLaw(name, fleet));

  // Backlog: 1,000 leads × 11 messages per device, drained at one send per delay.
  const recordsPerDevice = Math.round(figures.recordsPerDevice);
  const drainHours = figures.drainHours;
  const drain = await run(workers(1, recordsPerDevice), drainHours * 3_600_000 * 1.2, 0, 10);
  cases.push(
    makeCase(
      `003 backlog drain (${recordsPerDevice.toLocaleString('en-US')} records/device)`,
      'drain time (hours)',
      drainHours,
      estimate(drain.map((result) => result.sources[0].lastCompletionMs / 3_600_000)),
      0.01,
    ),
  );
  cases.push(...littlesLaw('003 backlog drain', drain));
  return cases;
}
