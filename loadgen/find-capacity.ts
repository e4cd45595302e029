/**
 * `--find-capacity`: steps the offered load up (×growth each step) until a threshold fails, and
 * reports the highest step that met every threshold — the sustainable messages per second (or
 * connections) of one instance, the figure the capacity model and the report use.
 */
import { runLoadTest, type LoadTestOptions } from './index.js';
import type { LoadTestResult } from './outputs/result-schema.js';
import { resolveLoad, type LoadTestScenario } from './resolve-load.js';

export interface CapacityStep {
  step: number;
  messageRateFactor: number;
  users: number;
  offeredMessagesPerSecond: number;
  ackedMessagesPerSecond: number;
  maxOpenConnections: number;
  ackP99Ms: number;
  deliveryP99Ms: number;
  lost: number;
  generatorCpuShare: number;
  passed: boolean;
  failed: string[];
}

export interface CapacityResult {
  schema: 'capsim.capacity';
  version: 1;
  mode: 'messages' | 'connections';
  steps: CapacityStep[];
  /** From the last step that met every threshold; null when even the first step failed. */
  maxSustainableMessagesPerSecond: number | null;
  maxSustainableConnections: number | null;
  /** True when the generator was saturated before the server failed: the true capacity is higher. */
  limitedByGenerator: boolean;
  results: LoadTestResult[];
}

export interface FindCapacityOptions {
  mode?: 'messages' | 'connections';
  growth?: number;
  maxSteps?: number;
  stepDurationMs?: number;
  onStep?(step: CapacityStep): void;
}

export async function findCapacity(
  scenario: LoadTestScenario,
  options: LoadTestOptions,
  search: FindCapacityOptions = {},
): Promise<CapacityResult> {
  const mode = search.mode ?? 'messages';
  const growth = search.growth ?? 2;
  const maxSteps = search.maxSteps ?? 8;
  const base = resolveLoad(scenario, { durationMs: search.stepDurationMs ?? options.durationMs ?? 10_000 });
  const steps: CapacityStep[] = [];
  const results: LoadTestResult[] = [];
  for (let index = 0; index < maxSteps; index += 1) {
    const factor = growth ** index;
    const users = mode === 'connections' ? Math.round(base.users * factor) : undefined;
    const messageRateFactor = mode === 'messages' ? factor : 1;
    const result = await runLoadTest(scenario, {
      ...options,
      durationMs: search.stepDurationMs ?? options.durationMs ?? 10_000,
      users,
      messageRateFactor,
      step: { index, messageRateFactor },
    });
    results.push(result);
    const offered = result.timeSeries.reduce((max, row) => Math.max(max, row.targetMessagesPerSecond), 0);
    const step: CapacityStep = {
      step: index + 1,
      messageRateFactor,
      users: result.summary.users,
      offeredMessagesPerSecond: Math.round(offered),
      ackedMessagesPerSecond: result.summary.throughput.ackedPerSecond,
      maxOpenConnections: result.summary.connections.maxOpen,
      ackP99Ms: result.latency.ack.p99Ms,
      deliveryP99Ms: result.latency.delivery.p99Ms,
      lost: result.checker.lost,
      generatorCpuShare: result.generator.maxWorkerCpuShare,
      passed: result.passed,
      failed: result.thresholds.filter((t) => !t.passed).map((t) => t.threshold),
    };
    steps.push(step);
    search.onStep?.(step);
    if (!result.passed) break;
  }
  const lastPass = [...steps].reverse().find((s) => s.passed) ?? null;
  const firstFail = steps.find((s) => !s.passed);
  return {
    schema: 'capsim.capacity',
    version: 1,
    mode,
    steps,
    maxSustainableMessagesPerSecond: lastPass ? lastPass.ackedMessagesPerSecond : null,
    maxSustainableConnections: lastPass ? lastPass.maxOpenConnections : null,
    limitedByGenerator: firstFail !== undefined && firstFail.generatorCpuShare > 0.85,
    results,
  };
}

/** The step table, one row per step. */
export function renderCapacityTable(result: CapacityResult): string {
  const header =
    'step  factor    users  offered/s  acked/s  open conn  ack p99 ms  dlv p99 ms  lost  gen CPU  verdict';
  const rows = result.steps.map((s) =>
    [
      String(s.step).padStart(4),
      s.messageRateFactor.toFixed(2).padStart(7),
      String(s.users).padStart(8),
      String(s.offeredMessagesPerSecond).padStart(10),
      String(s.ackedMessagesPerSecond).padStart(8),
      String(s.maxOpenConnections).padStart(10),
      s.ackP99Ms.toFixed(1).padStart(11),
      s.deliveryP99Ms.toFixed(1).padStart(11),
      String(s.lost).padStart(5),
      `${(s.generatorCpuShare * 100).toFixed(0)}%`.padStart(8),
      s.passed ? ' pass' : ` FAIL (${s.failed.join('; ')})`,
    ].join(' '),
  );
  const verdict =
    result.maxSustainableMessagesPerSecond === null
      ? 'even the first step failed: lower the load section'
      : `max sustainable: ${result.maxSustainableMessagesPerSecond} messages/s at ${result.maxSustainableConnections} connections`;
  const caveat = result.limitedByGenerator
    ? ' (generator saturated at the failing step: capacity may be higher; add workers/hosts)'
    : '';
  return [header, ...rows, `${verdict}${caveat}`].join('\n');
}
