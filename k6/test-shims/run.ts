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

interface ArrivalScenario {
  executor: string;
  rate: number;
  timeUnit?: string;
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
    scenarios: Record<string, ArrivalScenario>;
    thresholds?: Record<string, string[]>;
    summaryTrendStats?: string[];
    tags?: Record<string, string>;
  };
  const data = script.setup ? script.setup() : undefined;
  const testStart = Date.now();
  const starts: { at: number; scenario: string; iteration: number; scenarioStart: number }[] = [];
  for (const [name, scenario] of Object.entries(options.scenarios)) {
    if (scenario.executor !== 'constant-arrival-rate')
      throw new Error(`k6 shim: executor ${scenario.executor} not implemented`);
    const intervalMs = parseK6DurationMs(scenario.timeUnit ?? '1s') / scenario.rate;
    const durationMs = parseK6DurationMs(scenario.duration);
    const scenarioStart = testStart + parseK6DurationMs(scenario.startTime ?? '0s');
    for (let i = 0; i * intervalMs < durationMs; i++) {
      starts.push({ at: scenarioStart + i * intervalMs, scenario: name, iteration: i, scenarioStart });
    }
  }
  starts.sort((a, b) => a.at - b.at);
  for (const start of starts) {
    await sleep(start.at - Date.now());
    const state = shimState();
    state.scenario = {
      name: start.scenario,
      executor: 'constant-arrival-rate',
      startTime: start.scenarioStart,
      progress: 0,
      iterationInInstance: start.iteration,
      iterationInTest: start.iteration,
    };
    state.vuId = starts.indexOf(start) + 1;
    try {
      script.default(data);
    } catch (error) {
      state.callbackErrors.push(error);
    }
  }
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
