import { describe, expect, it } from 'vitest';
import { loadTestResultSchema } from '../loadgen/outputs/result-schema.js';
import { LatencyHistogram } from '../loadgen/metrics/latency-histogram.js';
import { capsimThresholdText } from './import-ndjson.js';
import { importK6Summary, isK6Summary } from './import.js';

const trend = (v: Record<string, number>) => ({ type: 'trend', contains: 'time', values: v });
const counter = (count: number) => ({
  type: 'counter',
  contains: 'default',
  values: { count, rate: count / 30 },
});

function capsimSummary(overrides: { lost?: number; ackP95?: number; segment?: string } = {}) {
  return {
    capsim: {
      format: 'capsim-k6-summary',
      version: 1,
      scenario: 'chat-1b-users',
      thresholds: [
        { source: 'ack_latency: p95 < 200ms', k6Metric: 'ack_latency', k6Expression: 'p(95)<200' },
        { source: 'lost: == 0', k6Metric: 'lost', k6Expression: 'count==0' },
        {
          source: 'connect_errors: rate < 0.1%',
          k6Metric: 'connect_errors_rate',
          k6Expression: 'rate<0.001',
        },
        { source: 'dropped_iterations == 0', k6Metric: 'dropped_iterations', k6Expression: 'count==0' },
      ],
      executionSegment: overrides.segment ?? '0:1',
      target: 'ws://gateway:8080/v1/ws',
      users: 1000,
      peakConnections: 1000,
      sendEndMs: 30_000,
      graceMs: 5000,
      finishedAt: '2026-11-23T12:00:35.000Z',
    },
    metrics: {
      ack_latency: trend({
        avg: 20,
        min: 2,
        med: 15,
        max: 400,
        'p(50)': 15,
        'p(90)': 60,
        'p(95)': overrides.ackP95 ?? 90,
        'p(99)': 150,
        'p(99.9)': 300,
        count: 3000,
      }),
      delivery_latency: trend({
        avg: 25,
        min: 3,
        med: 18,
        max: 450,
        'p(50)': 18,
        'p(90)': 70,
        'p(95)': 100,
        'p(99)': 170,
        'p(99.9)': 320,
        count: 2900,
      }),
      connect_latency: trend({
        avg: 5,
        min: 1,
        med: 4,
        max: 50,
        'p(50)': 4,
        'p(90)': 9,
        'p(95)': 12,
        'p(99)': 30,
        'p(99.9)': 45,
        count: 1000,
      }),
      messages_sent: counter(3000),
      messages_acked: counter(3000),
      messages_delivered: counter(2900),
      expected_deliveries: counter(2900 + (overrides.lost ?? 0)),
      lost: {
        ...counter(overrides.lost ?? 0),
        thresholds: { 'count==0': { ok: (overrides.lost ?? 0) === 0 } },
      },
      connect_attempts: counter(1000),
      connect_errors_rate: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 1000 } },
    },
    state: { testRunDurationMs: 35_000 },
  };
}

describe('importK6Summary', () => {
  it('converts a capsim k6 summary into a valid LoadTestResult', () => {
    const result = importK6Summary(capsimSummary());
    expect(() => loadTestResultSchema.parse(result)).not.toThrow();
    expect(result.scenario.name).toBe('chat-1b-users');
    expect(result.summary.messages).toMatchObject({ sent: 3000, acked: 3000, deliveries: 2900 });
    expect(result.checker).toMatchObject({ expectedDeliveries: 2900, deliveredExpected: 2900, lost: 0 });
    expect(result.latency.ack).toMatchObject({ count: 3000, p95Ms: 90, p99Ms: 150, maxMs: 400 });
    expect(result.summary.throughput.ackedPerSecond).toBe(100);
    expect(result.passed).toBe(true);
    expect(result.thresholds.map((t) => t.threshold)).toEqual([
      'ack_latency: p95 < 200ms',
      'lost: == 0',
      'connect_errors: rate < 0.1%',
      'dropped_iterations == 0',
    ]);
  });

  it('reconstructs histograms that reproduce the summary percentiles', () => {
    const result = importK6Summary(capsimSummary());
    const ack = LatencyHistogram.decode(result.histograms.ack);
    expect(ack.count).toBe(3000);
    expect(ack.percentileMs(95)).toBeCloseTo(90, 0);
    expect(ack.percentileMs(99)).toBeCloseTo(150, 0);
  });

  it('fails thresholds capsim evaluates itself (a lost message)', () => {
    const result = importK6Summary(capsimSummary({ lost: 2 }));
    expect(result.passed).toBe(false);
    expect(result.thresholds.find((t) => t.metric === 'lost')).toMatchObject({ observed: 2, passed: false });
  });

  it('merges instances: counters add, percentiles take the largest instance value (upper bound)', () => {
    const result = importK6Summary([
      capsimSummary({ segment: '0:1/2' }),
      capsimSummary({ ackP95: 250, segment: '1/2:1' }),
    ]);
    expect(result.summary.messages.sent).toBe(6000);
    expect(result.latency.ack.p95Ms).toBe(250);
    expect(result.environment.workers.map((w) => w.host)).toEqual(['k6 segment 0:1/2', 'k6 segment 1/2:1']);
    expect(result.thresholds.find((t) => t.metric === 'ack_latency')).toMatchObject({
      observed: 250,
      passed: false,
    });
  });

  it('reads CAPSIM_K6_SUMMARY lines from concatenated runner logs', () => {
    const logs = [
      'time="…" level=info msg="starting"',
      `CAPSIM_K6_SUMMARY ${JSON.stringify(capsimSummary({ segment: '0:1/2' }))}`,
      'other pod output',
      `CAPSIM_K6_SUMMARY ${JSON.stringify(capsimSummary({ segment: '1/2:1' }))}`,
    ].join('\n');
    expect(isK6Summary(logs)).toBe(true);
    expect(importK6Summary(logs).summary.messages.acked).toBe(6000);
  });

  it('reads a legacy --summary-export file (thresholds map to true when failed)', () => {
    const legacy = {
      root_group: { name: '', path: '', groups: {}, checks: {} },
      metrics: {
        ack_latency: { avg: 10, min: 1, med: 8, max: 90, 'p(90)': 20, 'p(95)': 30 },
        messages_sent: { count: 10, rate: 1 },
        messages_acked: { count: 10, rate: 1 },
        lost: { count: 0, rate: 0, thresholds: { 'count==0': false } },
      },
    };
    expect(isK6Summary(legacy)).toBe(true);
    const result = importK6Summary(legacy);
    expect(() => loadTestResultSchema.parse(result)).not.toThrow();
    expect(result.scenario.name).toBe('k6');
    expect(result.latency.ack.p95Ms).toBe(30);
    // p99 is not in the export: the next known percentile above it (max) stands in, never a smaller one.
    expect(result.latency.ack.p99Ms).toBe(90);
  });

  it('rejects what is not a k6 summary with a CapsimError', () => {
    expect(isK6Summary({ schema: 'capsim.loadtest' })).toBe(false);
    expect(() => importK6Summary('hello')).toThrowError(/not a k6 summary/);
  });
});

describe('importK6Summary with k6 --out json (NDJSON)', () => {
  const point = (metric: string, time: string, value: number) =>
    JSON.stringify({
      type: 'Point',
      data: { time, value, tags: { capsim_scenario: 'chat-1b-users' } },
      metric,
    });
  const declare = (metric: string, type: string, thresholds: string[]) =>
    JSON.stringify({
      type: 'Metric',
      data: { type, contains: 'default', thresholds, submetrics: null },
      metric,
    });
  const runner = (latencies: number[], second: string) =>
    [
      declare('ack_latency', 'trend', ['p(99)<50']),
      declare('lost', 'counter', ['count==0']),
      declare('connect_errors_rate', 'rate', ['rate<0.001']),
      ...latencies.flatMap((ms, i) => [
        point('messages_sent', `2026-11-23T12:00:0${second}.${String(i).padStart(3, '0')}Z`, 1),
        point('messages_acked', `2026-11-23T12:00:0${second}.${String(i).padStart(3, '0')}Z`, 1),
        point('ack_latency', `2026-11-23T12:00:0${second}.${String(i).padStart(3, '0')}Z`, ms),
      ]),
      point('connect_errors_rate', `2026-11-23T12:00:0${second}.500Z`, 0),
    ].join('\n');

  it('merges several runners exactly and rebuilds the per-second series', () => {
    const a = runner([1, 2, 3, 4], '0');
    const b = runner([10, 20, 30, 40, 100], '1');
    expect(isK6Summary(a)).toBe(true);
    const result = loadTestResultSchema.parse(importK6Summary([a, b]));
    expect(result.scenario.name).toBe('chat-1b-users');
    expect(result.latency.ack.count).toBe(9);
    expect(result.latency.ack.maxMs).toBeCloseTo(100, 1);
    expect(result.latency.ack.p50Ms).toBeCloseTo(10, 1); // 5th of 9 samples
    expect(result.timeSeries.map((row) => [row.second, row.sent, row.acked])).toEqual([
      [0, 4, 4],
      [1, 5, 5],
    ]);
    // Thresholds come back from k6 syntax and are evaluated over all samples: p99 = 100 ms fails.
    expect(result.thresholds.map((t) => [t.threshold, t.passed])).toEqual([
      ['ack_latency: p99 < 50', false],
      ['lost: count == 0', true],
      ['connect_errors: rate < 0.001', true],
      ['dropped_iterations == 0', true],
    ]);
  });

  it('reads k6 threshold expressions back into capsim syntax', () => {
    expect(capsimThresholdText('delivery_latency', 'p(95)<100')).toBe('delivery_latency: p(95) < 100');
    expect(capsimThresholdText('lost_rate', 'rate<=0.01')).toBe('lost: rate <= 0.01');
    expect(capsimThresholdText('dropped_iterations', 'count==0')).toBeNull();
  });

  it('refuses a mix of summaries and NDJSON', () => {
    expect(() => importK6Summary([runner([1], '0'), JSON.stringify(capsimSummary())])).toThrowError(
      /either k6 summaries or/,
    );
  });
});
