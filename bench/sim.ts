/**
 * `npm run bench -- sim`: discrete-event engine throughput on M/M/c (c = 4, ρ = 0.9), 10 million
 * customers on one core, against the same model in SimPy 2.3 (bench/simpy_mmc.py, run by
 * /usr/bin/python3 when python3-simpy is installed) in the same run; and memory per in-flight entity.
 * Events are model events — one arrival and one departure per customer — counted the same way for
 * both engines. Rates use CPU time of the simulating process (robust on a shared machine), with wall
 * time alongside.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runReplication } from '../model/sim/network.js';
import { mmc } from '../model/sim/closed-form.js';
import type { ResolvedPipeline, ResolvedStation } from '../model/sim/resolved.js';
import type { BenchSection } from './section.js';

const SERVERS = 4;
const RHO = 0.9;
const CUSTOMERS = Number(process.env.CAPSIM_BENCH_SIM_CUSTOMERS ?? 10_000_000);
const SIMPY_CUSTOMERS = Number(process.env.CAPSIM_BENCH_SIMPY_CUSTOMERS ?? 300_000);

function mmcPipeline(): ResolvedPipeline {
  return {
    sliceFactor: 1,
    sliceUnit: 'bench',
    sources: [
      {
        name: 'arrivals',
        type: 'open',
        ratePerSecond: RHO * SERVERS * 1000,
        routes: [{ to: 'station', probability: 1 }],
      },
    ],
    stations: [
      {
        name: 'station',
        servers: SERVERS,
        service: { dist: 'exponential', meanMs: 1 },
        routes: [{ to: 'exit', probability: 1 }],
      } as ResolvedStation,
    ],
    sinks: [],
    failures: [],
  };
}

interface EngineRun {
  customers: number;
  events: number;
  cpuSeconds: number;
  wallSeconds: number;
  meanWaitMs: number;
}

function runCapsim(customers: number): EngineRun {
  const durationMs = customers / (RHO * SERVERS);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = runReplication(mmcPipeline(), {
    seed: 1,
    replication: 0,
    durationMs,
    warmupMs: 0,
    backlogSamples: 1,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const station = result.stations[0];
  return {
    customers: station.departures,
    events: station.arrivals + station.departures,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds: (performance.now() - wallBefore) / 1000,
    meanWaitMs: station.wait.meanMs,
  };
}

function runSimpy(customers: number): EngineRun | string {
  const script = fileURLToPath(new URL('./simpy_mmc.py', import.meta.url));
  if (!existsSync('/usr/bin/python3')) return '/usr/bin/python3 not found';
  try {
    const wrapper = `import resource, runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__'); r = resource.getrusage(resource.RUSAGE_SELF); print(r.ru_utime + r.ru_stime)`;
    const wallBefore = performance.now();
    const output = execFileSync(
      '/usr/bin/python3',
      ['-c', wrapper, script, String(customers), String(SERVERS), String(RHO), '1'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const [json, cpuLine] = output.trim().split('\n');
    const parsed = JSON.parse(json) as {
      customers: number;
      events: number;
      seconds: number;
      meanWait: number;
    };
    return {
      customers: parsed.customers,
      events: parsed.events,
      cpuSeconds: Number(cpuLine),
      wallSeconds: Math.min(wallSeconds, parsed.seconds),
      meanWaitMs: parsed.meanWait,
    };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return text.includes('SimPy')
      ? 'SimPy 2.3 not installed (apt-get install -y python3-simpy)'
      : text.split('\n')[0];
  }
}

/** Bytes per job in flight: a burst of jobs queued at one slow server, measured against an empty run. */
function memoryPerEntity(jobs: number): number {
  const pipeline = (count: number): ResolvedPipeline => ({
    sliceFactor: 1,
    sliceUnit: 'bench',
    sources: [
      {
        name: 'burst',
        type: 'burst',
        jobs: count,
        atMs: 0,
        everyMs: Infinity,
        routes: [{ to: 'station', probability: 1 }],
      },
    ],
    stations: [
      {
        name: 'station',
        servers: 1,
        service: 1e9,
        routes: [{ to: 'exit', probability: 1 }],
      } as ResolvedStation,
    ],
    sinks: [],
    failures: [],
  });
  const measure = (count: number): number => {
    globalThis.gc?.();
    const before = process.memoryUsage();
    const result = runReplication(pipeline(count), {
      seed: 1,
      replication: 0,
      durationMs: 1,
      warmupMs: 0,
      backlogSamples: 1,
    });
    const after = process.memoryUsage();
    if (result.peakEntitiesInFlight !== count) throw new Error('burst did not stay in flight');
    return after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  };
  measure(1_000); // warm the code paths
  const small = measure(1_000);
  const large = measure(jobs);
  return (large - small) / (jobs - 1_000);
}

export async function run(): Promise<BenchSection[]> {
  const exact = mmc(RHO * SERVERS, 1, SERVERS);
  const rate = (engine: EngineRun) => engine.events / engine.cpuSeconds;
  // Best of several runs for each engine: on a shared machine the fastest run is the least disturbed.
  const best = <T extends EngineRun | string>(runs: T[]): T =>
    runs.reduce((fastest, next) =>
      typeof next === 'string' || (typeof fastest !== 'string' && rate(fastest) >= rate(next))
        ? fastest
        : next,
    );
  runCapsim(200_000); // JIT warm-up
  const capsim = best([runCapsim(CUSTOMERS), runCapsim(CUSTOMERS), runCapsim(CUSTOMERS)]);
  const simpy = best([runSimpy(SIMPY_CUSTOMERS), runSimpy(SIMPY_CUSTOMERS)]);
  const rows: (string | number)[][] = [
    [
      'capsim (model/sim)',
      capsim.customers.toLocaleString('en-US'),
      (rate(capsim) / 1e6).toFixed(2),
      (capsim.events / capsim.wallSeconds / 1e6).toFixed(2),
      capsim.meanWaitMs.toFixed(3),
      typeof simpy === 'string' ? '—' : `${(rate(capsim) / rate(simpy)).toFixed(1)}×`,
    ],
  ];
  const notes = [
    `M/M/${SERVERS}, ρ = ${RHO}, mean service 1 ms; Erlang C mean wait ${exact.meanWaitMs.toFixed(3)} ms (both engines should agree).`,
    'Events = arrivals + departures (2 per customer) for both engines; M events/s on CPU time of the simulating process (one core), wall time alongside; best of 3 runs (capsim) and 2 runs (SimPy).',
    'Goals: ≥ 10 M events/s on one core and ≥ 30× SimPy.',
    'On a shared, busy machine both engines slow down alike (SimPy does ≈ 0.36 M events/s on this machine when it is quiet); the ratio is the robust figure.',
  ];
  if (typeof simpy === 'string') notes.push(`SimPy peer skipped: ${simpy}`);
  else {
    rows.push([
      'SimPy 2.3 (bench/simpy_mmc.py)',
      simpy.customers.toLocaleString('en-US'),
      (rate(simpy) / 1e6).toFixed(3),
      (simpy.events / simpy.wallSeconds / 1e6).toFixed(3),
      simpy.meanWaitMs.toFixed(3),
      '1×',
    ]);
  }
  const bytes = memoryPerEntity(1_000_000);
  return [
    {
      title: 'Discrete-event engine: M/M/c events per second vs SimPy',
      command: 'npm run bench -- sim',
      columns: [
        'engine',
        'customers',
        'M events/s (CPU)',
        'M events/s (wall)',
        'mean wait ms',
        'ratio to SimPy',
      ],
      rows,
      notes,
    },
    {
      title: 'Discrete-event engine: memory per in-flight entity',
      command: 'npm run bench -- sim',
      columns: ['jobs in flight', 'bytes per entity (measured)', 'typed-array row (entity + queue slot)'],
      rows: [['1,000,000', bytes.toFixed(1), '44 + 4 (+ 36 per pending event)']],
      notes: [
        'Measured as heap + ArrayBuffer growth with 1,000,000 jobs queued at one server, minus a 1,000-job run; arrays grow by doubling, so the measured figure includes spare capacity.',
      ],
    },
  ];
}
