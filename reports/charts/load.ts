/** Charts of a load test's per-second time series: throughput, latency percentiles, connections. */
import type { ReportCapacity, ReportLoadTest } from '../inputs.js';
import {
  downsample,
  palette,
  referenceLineLayers,
  topLevel,
  type ReportChart,
  type SpecObject,
} from './chart.js';

const timeAxis = { field: 'timeS', type: 'quantitative', title: 'time (s)' };

function seriesColor(domain: string[]): SpecObject {
  return {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain, range: palette.slice(0, domain.length) },
  };
}

/** Sent, ACKed and delivered messages per second over time, against the required rate. */
export function throughputChart(test: ReportLoadTest, index = 0): ReportChart | undefined {
  if (test.samples.length === 0) return undefined;
  const values = downsample(test.samples).flatMap((sample) => [
    { timeS: sample.timeS, series: 'sent', value: sample.sentPerSecond },
    { timeS: sample.timeS, series: 'ACKed', value: sample.ackedPerSecond },
    { timeS: sample.timeS, series: 'delivered', value: sample.deliveredPerSecond },
  ]);
  const required = test.targetMessagesPerSecond;
  const description =
    `Messages per second over the ${test.durationS}-second load test "${test.label}": sent, ACKed and delivered` +
    (required === undefined ? '.' : `, against the required ${required} messages per second (dashed line).`);
  const layers: SpecObject[] = [
    {
      data: { values },
      mark: { type: 'line', interpolate: 'monotone' },
      encoding: {
        x: timeAxis,
        y: { field: 'value', type: 'quantitative', title: 'messages/s' },
        color: seriesColor(['sent', 'ACKed', 'delivered']),
      },
    },
  ];
  if (required !== undefined) layers.push(...referenceLineLayers(required, `required ${required}/s`));
  return {
    id: `throughput-${index}`,
    title: `Throughput — ${test.label}`,
    description,
    spec: topLevel({ layer: layers }, description),
  };
}

/** Delivery (and ACK) latency percentiles per second, against the SLO. */
export function latencyChart(
  test: ReportLoadTest,
  sloMs: number | undefined,
  index = 0,
): ReportChart | undefined {
  const values = downsample(test.samples).flatMap((sample) => {
    const rows: SpecObject[] = [];
    for (const [kind, latency] of [
      ['delivery', sample.deliveryLatencyMs],
      ['ACK', sample.ackLatencyMs],
    ] as const) {
      if (latency === undefined) continue;
      for (const percentile of ['p50', 'p95', 'p99'] as const) {
        const value = latency[percentile];
        if (value !== undefined) rows.push({ timeS: sample.timeS, series: `${kind} ${percentile}`, value });
      }
    }
    return rows;
  });
  if (values.length === 0) return undefined;
  const domain = [...new Set(values.map((row) => String(row.series)))];
  const description =
    `Latency percentiles per second in "${test.label}" (milliseconds, measured from the intended send time)` +
    (sloMs === undefined ? '.' : `, against the ${sloMs} ms SLO (dashed line).`);
  const layers: SpecObject[] = [
    {
      data: { values },
      mark: { type: 'line' },
      encoding: {
        x: timeAxis,
        y: { field: 'value', type: 'quantitative', title: 'latency (ms)' },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain } },
        strokeDash: {
          field: 'series',
          type: 'nominal',
          legend: null,
          scale: { domain, range: domain.map((name) => (name.startsWith('ACK') ? [4, 2] : [1, 0])) },
        },
      },
    },
  ];
  if (sloMs !== undefined) layers.push(...referenceLineLayers(sloMs, `SLO ${sloMs} ms`));
  return {
    id: `latency-${index}`,
    title: `Latency percentiles — ${test.label}`,
    description,
    spec: topLevel({ layer: layers }, description),
  };
}

/** Open connections over time, against the target (the ramp). */
export function connectionsChart(test: ReportLoadTest, index = 0): ReportChart | undefined {
  if (test.samples.length === 0) return undefined;
  const values = downsample(test.samples).flatMap((sample) => {
    const rows: SpecObject[] = [{ timeS: sample.timeS, series: 'open', value: sample.openConnections }];
    if (sample.targetConnections !== undefined)
      rows.push({ timeS: sample.timeS, series: 'target', value: sample.targetConnections });
    return rows;
  });
  const peak = Math.max(...test.samples.map((sample) => sample.openConnections));
  const description = `Open WebSocket connections over time in "${test.label}" (peak ${peak}), with the target ramp.`;
  const spec = {
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: timeAxis,
      y: { field: 'value', type: 'quantitative', title: 'connections' },
      color: seriesColor(['open', 'target']),
    },
  };
  return {
    id: `connections-${index}`,
    title: `Connections — ${test.label}`,
    description,
    spec: topLevel(spec, description),
  };
}

/**
 * Latency percentiles of the whole run (connect, ACK, delivery) against the SLO: the fallback when
 * the results carry no per-second percentiles.
 */
export function latencyPercentilesChart(
  test: ReportLoadTest,
  sloMs: number | undefined,
  index = 0,
): ReportChart | undefined {
  const values: SpecObject[] = [];
  for (const [kind, latency] of [
    ['connect', test.connectLatencyMs],
    ['ACK', test.ackLatencyMs],
    ['delivery', test.deliveryLatencyMs],
    ['inbox', test.inboxLatencyMs],
  ] as const) {
    if (latency === undefined) continue;
    for (const percentile of ['p50', 'p95', 'p99', 'max'] as const) {
      const value = latency[percentile];
      if (value !== undefined) values.push({ kind, percentile, latencyMs: value });
    }
  }
  if (values.length === 0) return undefined;
  const description =
    `Latency percentiles over the whole run "${test.label}" for connect, ACK, live delivery and inbox replay (milliseconds)` +
    (sloMs === undefined ? '.' : `, against the ${sloMs} ms delivery SLO (dashed line).`);
  const layers: SpecObject[] = [
    {
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'kind', type: 'nominal', title: null, sort: ['connect', 'ACK', 'delivery', 'inbox'] },
        xOffset: { field: 'percentile', type: 'nominal', sort: ['p50', 'p95', 'p99', 'max'] },
        y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms)' },
        color: {
          field: 'percentile',
          type: 'nominal',
          title: null,
          sort: ['p50', 'p95', 'p99', 'max'],
          scale: { range: palette },
        },
      },
    },
  ];
  if (sloMs !== undefined) layers.push(...referenceLineLayers(sloMs, `SLO ${sloMs} ms`));
  return {
    id: `latency-${index}`,
    title: `Latency percentiles — ${test.label}`,
    description,
    spec: topLevel({ layer: layers }, description),
  };
}

/** `--find-capacity` steps: offered vs ACKed messages per second per step, failing steps in red. */
export function capacityStepsChart(capacity: ReportCapacity): ReportChart | undefined {
  if (capacity.steps.length === 0) return undefined;
  const values = capacity.steps.flatMap((step) => [
    {
      step: step.step,
      series: 'offered',
      value: step.offeredMessagesPerSecond,
      outcome: step.pass ? 'pass' : 'fail',
    },
    {
      step: step.step,
      series: 'ACKed',
      value: step.ackedMessagesPerSecond,
      outcome: step.pass ? 'pass' : 'fail',
    },
  ]);
  const limit =
    capacity.mode === 'connections'
      ? capacity.maxSustainableConnections
      : capacity.maxSustainableMessagesPerSecond;
  const description =
    `Find-capacity steps (${capacity.mode}): offered and ACKed messages per second at each step; failed steps are marked red.` +
    (limit === null
      ? ' Even the first step failed.'
      : ` The last passing step sustains ${Math.round(limit)} ${capacity.mode === 'connections' ? 'connections' : 'messages per second'}.`);
  const spec = {
    data: { values },
    mark: { type: 'line', point: { size: 80, filled: true } },
    encoding: {
      x: { field: 'step', type: 'ordinal', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: 'messages/s' },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: ['offered', 'ACKed'], range: palette.slice(0, 2) },
      },
      shape: {
        field: 'outcome',
        type: 'nominal',
        title: null,
        scale: { domain: ['pass', 'fail'], range: ['circle', 'cross'] },
      },
    },
  };
  return {
    id: 'capacity-steps',
    title: 'Find-capacity steps',
    description,
    spec: topLevel(spec, description),
  };
}
