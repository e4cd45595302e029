/**
 * The generated script's correctness checker catches a faulty server: run against loadgen's fake
 * server that drops, duplicates and reorders deliveries, the script counts lost, duplicated and
 * out-of-order messages and its k6 thresholds fail (so would `capsim k6 --import`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadTestScenario } from '../loadgen/resolve-load.js';
import { buildK6Script } from './build-script.js';
import { importK6Summary } from './import.js';
import { buildK6Plan } from './plan.js';
import { runK6ScriptWithShims, type ShimRunResult } from './test-shims/run.js';
import { startServerProcess, type ServerProcess } from './testing/server-process.js';
import { transpileK6Script } from './transpile.js';

const scenario: LoadTestScenario = {
  name: 'k6-checker-test',
  load: {
    users: 8,
    phases: [
      { name: 'ramp-up', connections: 8, connectRatePerSecond: 32 },
      { name: 'hold', duration: '1.5s' },
    ],
    messages: { perSecond: 40 },
    grace: '1s',
  },
};

const count = (run: ShimRunResult, name: string) =>
  (run.state.metrics.get(name)?.values ?? []).reduce((a, b) => a + b, 0);

describe('generated k6 script against a faulty server', () => {
  let server: ServerProcess;
  let run: ShimRunResult;

  beforeAll(async () => {
    server = await startServerProcess({ fake: { dropEvery: 7, duplicateEvery: 5, reorderEvery: 6 } });
    const plan = buildK6Plan(scenario, { cellSize: 8 });
    const javascript = await transpileK6Script(buildK6Script(plan));
    run = await runK6ScriptWithShims(javascript, { env: { CAPSIM_TARGET: server.wsUrl }, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('counts lost, duplicated and out-of-order deliveries', () => {
    expect(run.state.callbackErrors.map(String)).toEqual([]);
    expect(count(run, 'messages_acked')).toBeGreaterThan(20);
    expect(count(run, 'lost')).toBeGreaterThan(0);
    expect(count(run, 'duplicated')).toBeGreaterThan(0);
    expect(count(run, 'out_of_order')).toBeGreaterThan(0);
  });

  it('fails the correctness thresholds, in k6 and after import', () => {
    const lost = run.summary.metrics.lost;
    expect(lost.thresholds).toEqual({ 'count==0': { ok: false } });
    const result = importK6Summary(run.outputs.stdout ?? '');
    expect(result.passed).toBe(false);
    expect(result.thresholds.filter((t) => !t.passed).map((t) => t.metric)).toEqual(
      expect.arrayContaining(['lost', 'duplicated', 'out_of_order']),
    );
  });
});
