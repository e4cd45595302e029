import { describe, expect, it } from 'vitest';
import { CapsimError } from '../common/errors.js';
import { evaluateThresholds, parseThreshold, type ThresholdMetrics } from './thresholds.js';

function metrics(): ThresholdMetrics {
  const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
  return {
    trends: {
      delivery_latency: {
        count: samples.length,
        minMs: 1,
        maxMs: 100,
        meanMs: 50.5,
        percentileMs: (p) => samples[Math.max(0, Math.ceil((p / 100) * samples.length) - 1)],
      },
    },
    counters: { lost: { count: 0, total: 1000 }, connect_errors: { count: 2, total: 1000 } },
    values: { ack_throughput: 250 },
  };
}

describe('parseThreshold', () => {
  it('reads the k6-like forms the issue lists', () => {
    expect(parseThreshold('delivery_latency: p95 < 100ms')).toMatchObject({
      metric: 'delivery_latency',
      percentile: 95,
      operator: '<',
      value: 100,
    });
    expect(parseThreshold('lost == 0')).toMatchObject({
      metric: 'lost',
      aggregate: 'count',
      operator: '==',
      value: 0,
    });
    expect(parseThreshold('ack_latency: p(99) < 0.2s')).toMatchObject({ percentile: 99, value: 200 });
    expect(parseThreshold('connect_errors: rate < 0.1%')).toMatchObject({ aggregate: 'rate', value: 0.001 });
    expect(parseThreshold('delivery_latency: p99.9 <= 500')).toMatchObject({
      percentile: 99.9,
      operator: '<=',
      value: 500,
    });
    expect(parseThreshold('ack_throughput: value >= 100/s')).toMatchObject({
      metric: 'ack_throughput',
      value: 100,
    });
  });

  it('rejects mistakes with a stable code and says what was expected', () => {
    const cases = [
      'delivery_latncy: p95 < 100ms',
      'delivery_latency < 100ms',
      'lost: p95 < 1',
      'ack_latency: p95 < 10%',
      'lost ~ 0',
      'connect_errors: rate < 5ms',
    ];
    for (const text of cases) {
      let caught: unknown;
      try {
        parseThreshold(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(CapsimError);
      const error = caught as CapsimError;
      expect(error.code).toBe('E_BAD_THRESHOLD');
      expect(error.problems[0].expected).toBeTruthy();
    }
  });
});

describe('evaluateThresholds', () => {
  it('passes and fails on the observed statistic', () => {
    const verdicts = evaluateThresholds(
      [
        'delivery_latency: p95 < 100ms',
        'delivery_latency: p95 < 90ms',
        'lost == 0',
        'connect_errors: rate < 0.1%',
        'connect_errors: rate < 1%',
        'ack_throughput >= 200/s',
      ].map(parseThreshold),
      metrics(),
    );
    expect(verdicts.map((v) => [v.observed, v.passed])).toEqual([
      [95, true],
      [95, false],
      [0, true],
      [0.002, false],
      [0.002, true],
      [250, true],
    ]);
  });

  it('fails a latency threshold that has no samples instead of passing it vacuously', () => {
    const [verdict] = evaluateThresholds([parseThreshold('ack_latency: p99 < 200ms')], metrics());
    expect(verdict).toMatchObject({ observed: null, passed: false });
  });
});
