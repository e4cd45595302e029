import { describe, expect, it } from 'vitest';
import { compile, type TopLevelSpec } from 'vega-lite';
import { sampleReportInput } from '../fixtures/sample-input.js';
import { downsample, type ReportChart } from './chart.js';
import { buildCharts, allCharts, deliverySloMs } from './index.js';
import {
  capacityStepsChart,
  connectionsChart,
  latencyChart,
  latencyPercentilesChart,
  throughputChart,
} from './load.js';
import { costBreakdownChart, sweepChart, tornadoChart } from './model.js';
import { serverResourcesChart } from './server.js';
import { backlogChart, stationQueueChart, stationUtilizationChart } from './simulation.js';

/** Compiles with vega-lite, collecting its warnings (a bad encoding is a warning, not an error). */
function compileStrict(spec: TopLevelSpec): string[] {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    error: (...args: unknown[]) => {
      throw new Error(args.join(' '));
    },
    warn: (...args: unknown[]) => {
      warnings.push(args.join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  compile(spec, { logger } as never);
  return warnings;
}

/** All inline data rows of a spec (top level and layers). */
function dataRows(spec: unknown): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    const data = object.data as { values?: Record<string, unknown>[] } | undefined;
    if (data?.values) rows.push(...data.values);
    for (const key of ['layer', 'spec']) {
      const child = object[key];
      if (Array.isArray(child)) child.forEach(visit);
      else visit(child);
    }
  };
  visit(spec);
  return rows;
}

const input = sampleReportInput(30);
const test = input.loadTests![0];
const simulation = input.simulation!;
const model = input.model!;

describe('chart builders', () => {
  it('every chart of the sample compiles with vega-lite without warnings and has an aria description', () => {
    const charts = allCharts(buildCharts(input));
    expect(charts.length).toBe(10);
    for (const chart of charts) {
      expect(compileStrict(chart.spec), chart.id).toEqual([]);
      expect((chart.spec as { description?: string }).description).toBe(chart.description);
      expect(chart.description.length).toBeGreaterThan(20);
    }
    expect(new Set(charts.map((chart) => chart.id)).size).toBe(charts.length);
  });

  it('throughput plots sent/ACKed/delivered per second and the required rate as a reference line', () => {
    const chart = throughputChart(test) as ReportChart;
    const rows = dataRows(chart.spec);
    expect(rows.filter((row) => row.series === 'delivered')).toHaveLength(test.samples.length);
    const first = test.samples[0];
    expect(rows).toContainEqual({ timeS: first.timeS, series: 'sent', value: first.sentPerSecond });
    expect(rows).toContainEqual({ value: 520, label: 'required 520/s' });
    expect(chart.description).toContain('520 messages per second');
  });

  it('latency draws p50/p95/p99 for delivery and ACK and the SLO line', () => {
    const chart = latencyChart(test, 100) as ReportChart;
    const rows = dataRows(chart.spec);
    const series = new Set(rows.map((row) => row.series));
    expect(series).toEqual(
      new Set(['delivery p50', 'delivery p95', 'delivery p99', 'ACK p50', 'ACK p95', 'ACK p99', undefined]),
    );
    expect(rows).toContainEqual({ value: 100, label: 'SLO 100 ms' });
    expect(
      latencyChart(
        {
          ...test,
          samples: test.samples.map((sample) => ({
            ...sample,
            ackLatencyMs: undefined,
            deliveryLatencyMs: undefined,
          })),
        },
        100,
      ),
    ).toBeUndefined();
  });

  it('without per-second latencies, the run percentiles are charted against the SLO instead', () => {
    const chart = latencyPercentilesChart(test, 100) as ReportChart;
    const rows = dataRows(chart.spec);
    expect(rows).toContainEqual({ kind: 'delivery', percentile: 'p95', latencyMs: 28.4 });
    expect(rows).toContainEqual({ kind: 'connect', percentile: 'p99', latencyMs: 9 });
    expect(rows).toContainEqual({ value: 100, label: 'SLO 100 ms' });
    expect(compileStrict(chart.spec)).toEqual([]);
    const flat = {
      ...test,
      samples: test.samples.map((sample) => ({
        ...sample,
        ackLatencyMs: undefined,
        deliveryLatencyMs: undefined,
      })),
    };
    const charts = buildCharts({ ...input, loadTests: [flat] }).load;
    expect(charts.map((c) => c.title)).toContain('Latency percentiles — slice 1/5000');
    expect(
      latencyPercentilesChart(
        { ...test, ackLatencyMs: undefined, deliveryLatencyMs: undefined, connectLatencyMs: undefined },
        100,
      ),
    ).toBeUndefined();
  });

  it('connections shows the open count and the target ramp; server resources convert RSS to MiB', () => {
    const connections = connectionsChart(test) as ReportChart;
    expect(connections.description).toContain('peak 10000');
    const server = serverResourcesChart(test) as ReportChart;
    const rss = dataRows(server.spec).filter((row) => row.metric === 'RSS (MiB)');
    expect(rss[0].value).toBeCloseTo(test.server![0].rssBytes! / 2 ** 20);
    expect(serverResourcesChart({ ...test, server: [] })).toBeUndefined();
  });

  it('simulation charts show utilization as percent and flag saturation', () => {
    const chart = stationUtilizationChart(simulation) as ReportChart;
    const rows = dataRows(chart.spec);
    expect(rows).toContainEqual({ station: 'storage', utilizationPercent: 88, saturated: 'above 80 %' });
    expect(chart.description).toContain('storage at 88.0 %');
    const saturated = stationUtilizationChart({
      ...simulation,
      stations: [{ name: 'db', utilization: 1.2, queueLengthMean: 50, queueLengthMax: 900 }],
    }) as ReportChart;
    expect(dataRows(saturated.spec)[0].saturated).toBe('saturated');
    expect(dataRows((stationQueueChart(simulation) as ReportChart).spec)).toContainEqual({
      station: 'broker',
      mean: 1.8,
      max: 31,
    });
    expect(backlogChart({ ...simulation, stations: [] })).toBeUndefined();
  });

  it('tornado sorts inputs by swing and keeps the low/high outputs; cost and sweep carry every row', () => {
    const tornado = tornadoChart(model.sensitivity![0]) as ReportChart;
    const rows = dataRows(tornado.spec).filter((row) => 'input' in row);
    expect(rows.map((row) => row.input)).toEqual([
      'components.gateway.connectionsPerInstance',
      'workload.concurrentConnections',
    ]);
    expect(rows[0]).toMatchObject({ from: 2500, to: 6250, swing: 3750 });
    const cost = costBreakdownChart(model.costBreakdown!) as ReportChart;
    expect(cost.description).toContain('$1,665,000');
    expect(costBreakdownChart([])).toBeUndefined();
    const sweep = sweepChart(model.sweeps![0]) as ReportChart;
    expect(dataRows(sweep.spec)).toHaveLength(4);
  });

  it('the delivery SLO line comes from the delivery-latency requirement', () => {
    expect(deliverySloMs(input)).toBe(100);
    expect(deliverySloMs({ scenario: { name: 'x' } })).toBeUndefined();
  });

  it('find-capacity steps chart offered vs ACKed per step and marks the failing step', () => {
    const step = (n: number, pass: boolean) => ({
      step: n,
      users: 100,
      offeredMessagesPerSecond: 50 * n,
      ackedMessagesPerSecond: pass ? 50 * n : 30 * n,
      maxOpenConnections: 100,
      ackP99Ms: 10,
      deliveryP99Ms: 12,
      pass,
      failed: pass ? [] : ['ack_latency: p99 < 100ms'],
    });
    const capacity = {
      mode: 'messages' as const,
      maxSustainableMessagesPerSecond: 100,
      maxSustainableConnections: 100,
      limitedByGenerator: false,
      steps: [step(1, true), step(2, true), step(3, false)],
    };
    const chart = capacityStepsChart(capacity) as ReportChart;
    expect(compileStrict(chart.spec)).toEqual([]);
    expect(dataRows(chart.spec)).toContainEqual({ step: 3, series: 'ACKed', value: 90, outcome: 'fail' });
    expect(chart.description).toContain('sustains 100 messages per second');
    expect(buildCharts({ ...input, capacity }).load[0].id).toBe('capacity-steps');
  });

  it('downsample keeps the first and last point and at most maxPoints', () => {
    const points = Array.from({ length: 1001 }, (_, index) => index);
    const kept = downsample(points, 100);
    expect(kept).toHaveLength(100);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(1000);
    expect(downsample([1, 2, 3], 100)).toEqual([1, 2, 3]);
  });
});
