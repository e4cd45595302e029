/**
 * An imported k6 run renders in capsim's HTML report like a local load test: the summary a runner
 * prints goes through importK6Summary, then REPORT's adapter and renderer (both pure).
 */
import { describe, expect, it } from 'vitest';
import { adaptLoadTest } from '../reports/adapt-loadtest.js';
import { buildReportHtml } from '../reports/build.js';
import { importK6Summary } from './import.js';

const trend = (p95: number) => ({
  type: 'trend',
  contains: 'time',
  values: {
    avg: p95 / 3,
    min: 1,
    med: p95 / 4,
    max: p95 * 2,
    'p(50)': p95 / 4,
    'p(90)': p95 * 0.8,
    'p(95)': p95,
    'p(99)': p95 * 1.5,
    'p(99.9)': p95 * 1.8,
    count: 5000,
  },
});
const counter = (count: number) => ({
  type: 'counter',
  contains: 'default',
  values: { count, rate: count / 60 },
});

const runnerLog = (segment: string, lost: number) =>
  `CAPSIM_K6_SUMMARY ${JSON.stringify({
    capsim: {
      format: 'capsim-k6-summary',
      version: 1,
      scenario: 'whatsapp-agent-backend',
      thresholds: [
        { source: 'delivery_latency: p99 < 500ms', k6Metric: 'delivery_latency', k6Expression: 'p(99)<500' },
        { source: 'lost: == 0', k6Metric: 'lost', k6Expression: 'count==0' },
      ],
      executionSegment: segment,
      target: 'ws://gateway.example:8080/v1/ws',
      users: 50_000_000,
      peakConnections: 50_000_000,
      sendEndMs: 60_000,
      graceMs: 5000,
      finishedAt: '2026-11-23T12:01:05.000Z',
    },
    metrics: {
      ack_latency: trend(40),
      delivery_latency: trend(120),
      connect_latency: trend(15),
      messages_sent: counter(5000),
      messages_acked: counter(5000),
      messages_delivered: counter(5000 - lost),
      expected_deliveries: counter(5000),
      lost: counter(lost),
      connect_attempts: counter(5000),
    },
    state: { testRunDurationMs: 65_000 },
  })}`;

describe('k6 results in the HTML report', () => {
  it('renders an imported fleet run with its thresholds and correctness counts', () => {
    const result = importK6Summary([runnerLog('0:1/2', 0), runnerLog('1/2:1', 3)].join('\n'));
    const html = buildReportHtml({
      scenario: { name: result.scenario.name },
      generatedAt: '2026-11-23T12:02:00.000Z',
      loadTests: [adaptLoadTest(result)],
    });
    expect(html).toContain('whatsapp-agent-backend');
    expect(html).toContain('delivery_latency: p99 &lt; 500ms');
    // 3 lost messages on one runner fail the fleet-wide threshold.
    expect(result.thresholds.find((t) => t.metric === 'lost')).toMatchObject({ observed: 3, passed: false });
    expect(adaptLoadTest(result).counts).toMatchObject({ sent: 10_000, lost: 3 });
  });
});
