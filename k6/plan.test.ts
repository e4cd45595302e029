import { describe, expect, it } from 'vitest';
import { parseThreshold } from '../loadgen/thresholds.js';
import { kubernetesName, runnerResources } from './manifest.js';
import { arrivalScenario, buildK6Plan, buildSegments, fitHolds, httpScenario, retimeRamps } from './plan.js';
import { parseK6DurationMs } from './test-shims/run.js';
import { toK6ThresholdOption, translateThresholds } from './thresholds.js';

const phase = (fromConnections: number, toConnections: number, startMs: number, durationMs: number) => ({
  name: 'ramp',
  startMs,
  durationMs,
  fromConnections,
  toConnections,
  messageRateMultiplier: 1,
});

/** How many iterations k6's constant-arrival-rate starts: one every timeUnit/rate while t < duration. */
function iterationsStarted(scenario: ReturnType<typeof arrivalScenario>): number {
  const intervalMs = parseK6DurationMs(scenario.timeUnit) / scenario.rate;
  const durationMs = parseK6DurationMs(scenario.duration);
  let count = 0;
  while (count * intervalMs < durationMs) count++;
  return count;
}

describe('cells on constant-arrival-rate executors', () => {
  it('starts exactly one iteration per cell at the connect rate', () => {
    const [segment] = buildSegments([phase(0, 200, 0, 4000)], 50);
    expect(segment).toMatchObject({ firstCell: 0, cells: 4, cellIntervalMs: 1000, startMs: 0, endMs: 4000 });
    const scenario = arrivalScenario(segment, 10_000);
    expect(scenario).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 4,
      maxVUs: 4,
    });
    expect(iterationsStarted(scenario)).toBe(4);
  });

  it('handles intervals that are not whole milliseconds', () => {
    const [segment] = buildSegments([phase(0, 150, 0, 1000)], 50);
    const scenario = arrivalScenario(segment, 1000);
    expect(scenario.timeUnit).toBe('333.333ms');
    expect(iterationsStarted(scenario)).toBe(3);
  });

  it('gives each rising phase its own scenario, continuing the cell numbering', () => {
    const segments = buildSegments(
      [phase(0, 100, 0, 1000), phase(100, 100, 1000, 5000), phase(100, 300, 6000, 2000)],
      50,
    );
    expect(segments.map((s) => [s.firstCell, s.cells, s.startMs])).toEqual([
      [0, 2, 0],
      [2, 4, 6000],
    ]);
  });

  it('fits the holds to a total duration, ramps keeping their speed', () => {
    const phases = fitHolds(
      [phase(0, 1000, 0, 10_000), phase(1000, 1000, 10_000, 5000), phase(1000, 1000, 15_000, 5000)],
      60_000,
    );
    expect(phases.map((p) => [p.startMs, p.durationMs])).toEqual([
      [0, 10_000],
      [10_000, 25_000],
      [35_000, 25_000],
    ]);
  });

  it('re-times ramps at a given connect rate and keeps holds', () => {
    const phases = retimeRamps([phase(0, 1000, 0, 1000), phase(1000, 1000, 1000, 5000)], 100);
    expect(phases.map((p) => [p.startMs, p.durationMs])).toEqual([
      [0, 10_000],
      [10_000, 5000],
    ]);
  });
});

describe('HTTP phases', () => {
  const base = {
    name: 'http_1_tokens',
    endpoint: 'tokens' as const,
    startMs: 2000,
    durationMs: 10_000,
    connections: 20,
  };
  it('runs a phase with a request rate on an open-model arrival-rate executor', () => {
    expect(httpScenario({ ...base, requestsPerSecond: 200 })).toMatchObject({
      executor: 'constant-arrival-rate',
      exec: 'httpPhase',
      rate: 200,
      timeUnit: '1s',
      duration: '10000ms',
      startTime: '2000ms',
      maxVUs: 20,
    });
    expect(httpScenario({ ...base, requestsPerSecond: 2.5 })).toMatchObject({
      rate: 2500,
      timeUnit: '1000s',
    });
  });

  it('runs a phase without a rate closed-loop on its connections', () => {
    expect(httpScenario({ ...base, requestsPerSecond: null })).toMatchObject({
      executor: 'constant-vus',
      vus: 20,
    });
  });
});

describe('buildK6Plan', () => {
  const scenario = {
    name: 'big',
    load: {
      phases: [
        { name: 'ramp-up', connections: 200, connectRatePerSecond: 50 },
        { name: 'peak', duration: '20s', messageRateMultiplier: 3 },
      ],
      messages: { perSecond: 100 },
      fullScale: { connections: 50_000_000, messagesPerSecond: 1_200_000 },
    },
  };

  it('exports the full-scale system by default when load.fullScale exists', () => {
    const plan = buildK6Plan(scenario);
    expect(plan.scale).toBe('full');
    expect(plan.peakConnections).toBe(50_000_000);
    expect(plan.totalVus).toBe(1_000_000);
    // The peak phase (multiplier 3) runs at the full-scale peak rate.
    expect(plan.peakMessagesPerSecond).toBeCloseTo(1_200_000, 3);
  });

  it('ramps a scaled-up export at a fleet-sized connect rate unless told otherwise', () => {
    expect(buildK6Plan(scenario).script.segments[0]).toMatchObject({ cells: 1_000_000, endMs: 500_000 });
    expect(buildK6Plan(scenario).notes[0]).toMatch(/re-timed to 100,000 connections\/s/);
    expect(buildK6Plan(scenario, { connectRatePerSecond: 1_000_000 }).script.segments[0].endMs).toBe(50_000);
  });

  it('exports the load phases as written with --scale scenario', () => {
    const plan = buildK6Plan(scenario, { scale: 'scenario', cellSize: 20 });
    expect(plan.peakConnections).toBe(200);
    expect(plan.totalVus).toBe(10);
    expect(plan.script.rateSteps.map((s) => s.perUserPerSecond)).toEqual([0.5, 1.5]);
  });

  it('refuses a scenario too small for one cell', () => {
    expect(() =>
      buildK6Plan(
        {
          load: {
            users: 2,
            phases: [{ connections: 2, connectRatePerSecond: 1 }],
            messages: { perSecond: 1 },
          },
        },
        { cellSize: 50, scale: 'scenario' },
      ),
    ).not.toThrow();
    expect(() => buildK6Plan({ load: { phases: [{ duration: '1s' }] } }, { scale: 'scenario' })).toThrowError(
      /never opens a whole cell/,
    );
  });
});

describe('threshold translation', () => {
  const translate = (...texts: string[]) => translateThresholds(texts.map((text) => parseThreshold(text)));

  it('writes percentiles, counts and ratios in k6 syntax', () => {
    const result = translate(
      'delivery_latency: p95 < 100ms',
      'ack_latency: p99.9 <= 1s',
      'lost == 0',
      'connect_errors: rate < 0.1%',
    );
    expect(toK6ThresholdOption(result)).toEqual({
      delivery_latency: ['p(95)<100'],
      ack_latency: ['p(99.9)<=1000'],
      lost: ['count==0'],
      connect_errors_rate: ['rate<0.001'],
    });
    expect(result.rateMetrics).toEqual(['connect_errors']);
    expect(result.untranslated).toEqual([]);
  });

  it('lists what k6 cannot express instead of approximating it', () => {
    const result = translate('generator_cpu < 80%', 'ack_latency: count > 10');
    expect(result.thresholds).toEqual([]);
    expect(result.untranslated.map((u) => u.source)).toEqual([
      'generator_cpu: < 80%',
      'ack_latency: count > 10',
    ]);
  });
});

describe('runner sizing', () => {
  it('splits VUs and sockets over the runners and adds headroom', () => {
    const plan = buildK6Plan(
      {
        name: 'x',
        load: {
          phases: [{ connections: 100_000, connectRatePerSecond: 10_000 }],
          messages: { perSecond: 1000 },
        },
      },
      { scale: 'scenario' },
    );
    const resources = runnerResources(plan, 4);
    expect(resources.vusPerRunner).toBe(500);
    expect(resources.socketsPerRunner).toBe(25_000);
    // (500 × 5 MiB + 25,000 × 64 KiB) × 1.25 + 256 MiB
    expect(resources.memoryBytes).toBe(
      Math.ceil((500 * 5 * 2 ** 20 + 25_000 * 64 * 1024) * 1.25) + 256 * 2 ** 20,
    );
  });

  it('makes Kubernetes-safe names', () => {
    expect(kubernetesName('capsim-Chat_1B users!')).toBe('capsim-chat-1b-users');
  });
});
