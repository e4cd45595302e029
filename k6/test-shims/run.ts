/**
 * TEST DOUBLE of `k6 run` for the generated capsim scripts: runs setup(), starts the iterations of each
 * `constant-arrival-rate` scenario at the times k6 would (one VU per iteration, as the script's
 * preAllocatedVUs provide), waits for the event loop (timers and sockets) to drain, then calls
 * handleSummary() with a summary built from the recorded samples. Not k6: no VU isolation (all
 * iterations share one JavaScript realm), no execution segments, HTTP blocks the whole process.
 */
import { loadK6Script } from './load-script.js';
import { resetShimState, shimState, waitForEventLoop, type ShimState } from './state.js';
import { buildShimJsonOutput } from './json-output.js';
import { buildShimSummary, type SummaryMetric } from './summary.js';

interface ScenarioOptions {
  executor: string;
  exec?: string;
  rate?: number;
  timeUnit?: string;
  vus?: number;
  duration: string;
  startTime?: string;
}

export interface ShimRunResult {
  state: ShimState;
  summary: { metrics: Record<string, SummaryMetric>; state: { testRunDurationMs: number } };
  /** What handleSummary() returned (file name → content; `stdout`). */
  outputs: Record<string, string>;
  /** What `k6 run --out json=…` would have written. */
  jsonOutput: string;
  iterations: number;
}

/** Parses a k6 (Go) duration: `1.5ms`, `3s`, `2m`, `1h`, `1m30s`. */
export function parseK6DurationMs(text: string): number {
  const units: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text.trim();
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)/.exec(rest);
    if (!match) throw new Error(`k6 shim: bad duration ${text}`);
    total += Number(match[1]) * units[match[2]];
    rest = rest.slice(match[0].length);
  }
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => globalThis.setTimeout(resolve, Math.max(0, ms)));

export async function runK6ScriptWithShims(
  javascript: string,
  { env = {}, timeoutMs = 60_000 }: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ShimRunResult> {
  resetShimState(env);
  const script = await loadK6Script(javascript);
  const options = script.options as {
    scenarios: Record<string, ScenarioOptions>;
    thresholds?: Record<string, string[]>;
    summaryTrendStats?: string[];
    tags?: Record<string, string>;
  };
  const data = script.setup ? script.setup() : undefined;
  const testStart = Date.now();
  const starts: {
    at: number;
    scenario: string;
    exec: string;
    iteration: number;
    scenarioStart: number;
    endAt: number | null;
  }[] = [];
  for (const [name, scenario] of Object.entries(options.scenarios)) {
    const durationMs = parseK6DurationMs(scenario.duration);
    const scenarioStart = testStart + parseK6DurationMs(scenario.startTime ?? '0s');
    const exec = scenario.exec ?? 'default';
    if (scenario.executor === 'constant-arrival-rate') {
      const intervalMs = parseK6DurationMs(scenario.timeUnit ?? '1s') / (scenario.rate ?? 1);
      for (let i = 0; i * intervalMs < durationMs; i++) {
        starts.push({
          at: scenarioStart + i * intervalMs,
          scenario: name,
          exec,
          iteration: i,
          scenarioStart,
          endAt: null,
        });
      }
    } else if (scenario.executor === 'constant-vus') {
      // Each VU loops until the scenario's end: modelled as one start per VU that repeats (endAt).
      for (let vu = 0; vu < (scenario.vus ?? 1); vu++) {
        starts.push({
          at: scenarioStart,
          scenario: name,
          exec,
          iteration: vu,
          scenarioStart,
          endAt: scenarioStart + durationMs,
        });
      }
    } else {
      throw new Error(`k6 shim: executor ${scenario.executor} not implemented`);
    }
  }
  starts.sort((a, b) => a.at - b.at);
  const iterationsByScenario = new Map<string, number>();
  const runIteration = (start: (typeof starts)[number], vuId: number) => {
    const state = shimState();
    const iteration = iterationsByScenario.get(start.scenario) ?? 0;
    iterationsByScenario.set(start.scenario, iteration + 1);
    state.scenario = {
      name: start.scenario,
      executor: 'shim',
      startTime: start.scenarioStart,
      progress: 0,
      iterationInInstance: iteration,
      iterationInTest: iteration,
    };
    state.vuId = vuId;
    const fn = script[start.exec as 'default'];
    if (typeof fn !== 'function') throw new Error(`k6 shim: the script exports no function ${start.exec}`);
    try {
      fn(data);
    } catch (error) {
      state.callbackErrors.push(error);
    }
  };
  const loops: Promise<void>[] = [];
  for (const [index, start] of starts.entries()) {
    await sleep(start.at - Date.now());
    if (start.endAt === null) {
      runIteration(start, index + 1);
      continue;
    }
    const endAt = start.endAt;
    loops.push(
      (async () => {
        while (Date.now() < endAt) {
          runIteration(start, index + 1);
          await sleep(0);
        }
      })(),
    );
  }
  await Promise.all(loops);
  await waitForEventLoop(timeoutMs);
  const summary = buildShimSummary(options, Date.now() - testStart);
  const outputs = script.handleSummary ? script.handleSummary(summary) : {};
  return {
    state: shimState(),
    summary,
    outputs,
    jsonOutput: buildShimJsonOutput(options),
    iterations: starts.length,
  };
}
