/**
 * Protocol test: the generated k6 script (script.js, exactly as exported) runs against the real
 * reference server through the k6 test double in k6/test-shims/. If the server's protocol and the
 * script drift apart (auth, frames, ACK/deliver fields, receipts, groups, inbox redelivery), the
 * correctness counts below stop adding up and this fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestResultSchema } from '../loadgen/outputs/result-schema.js';
import type { LoadTestScenario } from '../loadgen/resolve-load.js';
import { buildK6Script } from './build-script.js';
import { importK6Summary } from './import.js';
import { buildK6Plan } from './plan.js';
import { runK6ScriptWithShims, type ShimRunResult } from './test-shims/run.js';
import { startServerProcess, type ServerProcess } from './testing/server-process.js';
import { transpileK6Script } from './transpile.js';

const scenario: LoadTestScenario = {
  name: 'k6-protocol-test',
  load: {
    users: 12,
    phases: [
      { name: 'ramp-up', connections: 12, connectRatePerSecond: 24 },
      { name: 'hold', duration: '3.5s', messageRateMultiplier: 1 },
      { name: 'ramp-down', duration: '0.5s', connections: 0 },
    ],
    messages: { perSecond: 30 },
    conversations: { groupFraction: 0.67, groupSize: 4 },
    offline: { fraction: 0.25, at: '1.2s', awayDuration: '1.5s' },
    heartbeat: '200ms',
    // The drain ends as soon as everything is accounted for; the bound only matters on a slow machine
    // (a CI run whose disk stalled the writer for seconds left 35 of 59 sends unACKed at 5 s).
    grace: '20s',
    http: [
      { endpoint: 'history', start: '1s', duration: '1s', requestsPerSecond: 5, connections: 2 },
      { endpoint: 'tokens', start: '1.5s', duration: '1s', requestsPerSecond: 4, connections: 2 },
    ],
    thresholds: { delivery_latency: 'p95 < 60s', connect_errors: 'rate < 1%', http_errors: 'rate < 1%' },
  },
};

function count(run: ShimRunResult, name: string): number {
  return (run.state.metrics.get(name)?.values ?? []).reduce((a, b) => a + b, 0);
}

describe('generated k6 script against the reference server', () => {
  let server: ServerProcess;
  let run: ShimRunResult;

  beforeAll(async () => {
    // In a child process: the k6 double's HTTP is synchronous, as in k6. This test is about the script
    // and the protocol agreeing, not durability: commits skip fsync (synchronous=NORMAL) so a busy
    // disk cannot hold every ACK back past the grace period.
    server = await startServerProcess({ profile: 'loadtest', sqliteSync: 'normal' });
    const plan = buildK6Plan(scenario, { cellSize: 6, target: server.wsUrl });
    const javascript = await transpileK6Script(buildK6Script(plan));
    run = await runK6ScriptWithShims(javascript, { env: { CAPSIM_TARGET: server.wsUrl }, timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('runs every cell without script errors', () => {
    expect(run.state.callbackErrors.map(String)).toEqual([]);
    expect(run.state.aborted).toBeNull();
    // 2 cells, 5 history reads and 4 token requests.
    expect(run.iterations).toBe(11);
  });

  it('authenticates every connection with locally minted tokens and heartbeats', () => {
    expect(count(run, 'connect_errors')).toBe(0);
    // 12 users connect once; in each cell of 6, floor(6 × 0.25) = 1 user goes offline and reconnects.
    expect(count(run, 'connect_attempts')).toBe(14);
    expect(run.state.metrics.get('connect_latency')?.values.length).toBe(14);
    expect(run.state.metrics.get('heartbeat_rtt')?.values.length).toBeGreaterThan(0);
  });

  it('gets every message ACKed and delivered exactly once, in order', () => {
    const sent = count(run, 'messages_sent');
    expect(sent).toBeGreaterThan(20);
    const expected = count(run, 'expected_deliveries');
    // Group messages fan out to 3 members, 1:1 messages to 1.
    expect(expected).toBeGreaterThan(sent);
    // One comparison, so a failure shows every count at once.
    expect({
      acked: count(run, 'messages_acked'),
      unacked: count(run, 'unacked'),
      sendErrors: count(run, 'send_errors'),
      delivered: count(run, 'messages_delivered'),
      lost: count(run, 'lost'),
      duplicated: count(run, 'duplicated'),
      outOfOrder: count(run, 'out_of_order'),
    }).toEqual({
      acked: sent,
      unacked: 0,
      sendErrors: 0,
      delivered: expected,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
    });
  });

  it('measures ACK and delivery latency from the intended send time', () => {
    const acks = run.state.metrics.get('ack_latency')?.values ?? [];
    expect(acks.length).toBe(count(run, 'messages_acked'));
    expect(Math.min(...acks)).toBeGreaterThanOrEqual(0);
    const deliveries = [
      ...(run.state.metrics.get('delivery_latency')?.values ?? []),
      ...(run.state.metrics.get('inbox_latency')?.values ?? []),
    ];
    expect(deliveries.length).toBe(count(run, 'messages_delivered'));
  });

  it('exercises the inbox: messages to users who were away arrive as redeliveries', () => {
    expect(run.state.metrics.get('inbox_latency')?.values.length ?? 0).toBeGreaterThan(0);
  });

  it('runs the HTTP phases (history reads, login storm) on arrival-rate executors', () => {
    expect(count(run, 'http_requests')).toBe(9);
    expect(count(run, 'http_errors')).toBe(0);
    expect(run.state.metrics.get('http_latency')?.values.length).toBe(9);
  });

  it('reports its thresholds in the summary capsim imports', () => {
    const stdout = run.outputs.stdout ?? '';
    expect(stdout).toContain('CAPSIM_K6_SUMMARY ');
    const document = JSON.parse(stdout.slice(stdout.indexOf('CAPSIM_K6_SUMMARY ') + 18).trim()) as {
      capsim: { scenario: string };
      metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }>;
    };
    expect(document.capsim.scenario).toBe('k6-protocol-test');
    expect(document.metrics.lost.thresholds).toEqual({ 'count==0': { ok: true } });
    expect(document.metrics.connect_errors_rate.thresholds).toEqual({ 'rate<0.01': { ok: true } });
    expect(document.metrics.http_errors_rate.thresholds).toEqual({ 'rate<0.01': { ok: true } });
  });

  it('imports into a capsim load-test result that agrees with the run', () => {
    const result = loadTestResultSchema.parse(importK6Summary(run.outputs.stdout ?? ''));
    expect(result.scenario.name).toBe('k6-protocol-test');
    expect(result.summary.messages.sent).toBe(count(run, 'messages_sent'));
    expect(result.summary.messages.acked).toBe(count(run, 'messages_acked'));
    expect(result.checker).toMatchObject({
      expectedDeliveries: count(run, 'expected_deliveries'),
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
    });
    expect(result.latency.ack.count).toBe(count(run, 'messages_acked'));
    const verdicts = Object.fromEntries(result.thresholds.map((t) => [t.threshold, t.passed]));
    expect(verdicts).toMatchObject({
      'lost: == 0': true,
      'duplicated: == 0': true,
      'out_of_order: == 0': true,
      'dropped_iterations == 0': true,
    });
  });

  it('imports k6 --out json output with exact histograms and a time series', () => {
    const result = loadTestResultSchema.parse(importK6Summary(run.jsonOutput));
    expect(result.scenario.name).toBe('k6-protocol-test');
    expect(result.latency.ack.count).toBe(count(run, 'messages_acked'));
    const acks = [...(run.state.metrics.get('ack_latency')?.values ?? [])].sort((a, b) => a - b);
    // HDR histogram with 3 significant digits: the max is exact to 0.1%.
    const max = acks[acks.length - 1];
    expect(Math.abs(result.latency.ack.maxMs - max)).toBeLessThanOrEqual(max * 0.001 + 0.01);
    expect(result.timeSeries.reduce((sum, row) => sum + row.sent, 0)).toBe(count(run, 'messages_sent'));
    expect(result.checker.lost).toBe(0);
    expect(result.thresholds.find((t) => t.metric === 'lost')?.passed).toBe(true);
  });
});

describe('generated k6 script with tokens from POST /v1/tokens', () => {
  let server: ServerProcess;
  let run: ShimRunResult;

  beforeAll(async () => {
    server = await startServerProcess({ profile: 'loadtest', sqliteSync: 'normal' });
    const small: LoadTestScenario = {
      name: 'k6-token-test',
      load: {
        users: 4,
        phases: [{ connections: 4, connectRatePerSecond: 40 }, { duration: '1s' }],
        messages: { perSecond: 12 },
        grace: '10s', // ends as soon as everything is accounted for
      },
    };
    const plan = buildK6Plan(small, { cellSize: 4, tokenMode: 'http' });
    const javascript = await transpileK6Script(buildK6Script(plan));
    run = await runK6ScriptWithShims(javascript, { env: { CAPSIM_TARGET: server.wsUrl }, timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('authenticates with server-issued tokens and exchanges messages', () => {
    expect(run.state.callbackErrors.map(String)).toEqual([]);
    expect(count(run, 'connect_errors')).toBe(0);
    expect(count(run, 'connect_attempts')).toBe(4);
    expect(count(run, 'messages_sent')).toBeGreaterThan(0);
    expect(count(run, 'messages_acked')).toBe(count(run, 'messages_sent'));
    expect(count(run, 'lost')).toBe(0);
  });
});
