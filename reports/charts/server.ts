/** Server-side resources scraped from the target's /metrics during a load test. */
import type { ReportLoadTest } from '../inputs.js';
import { chartWidthPx, downsample, topLevel, type ReportChart, type SpecObject } from './chart.js';

/** CPU %, RSS (MiB) and event-loop lag (ms) over time, one small panel each with its own scale. */
export function serverResourcesChart(test: ReportLoadTest, index = 0): ReportChart | undefined {
  const values: SpecObject[] = [];
  for (const sample of downsample(test.server ?? [])) {
    if (sample.cpuPercent !== undefined)
      values.push({ timeS: sample.timeS, metric: 'CPU (%)', value: sample.cpuPercent });
    if (sample.rssBytes !== undefined)
      values.push({ timeS: sample.timeS, metric: 'RSS (MiB)', value: sample.rssBytes / 2 ** 20 });
    if (sample.eventLoopLagMs !== undefined)
      values.push({ timeS: sample.timeS, metric: 'event-loop lag (ms)', value: sample.eventLoopLagMs });
  }
  if (values.length === 0) return undefined;
  const metrics = [...new Set(values.map((row) => String(row.metric)))];
  const description = `Server resources during "${test.label}" from its /metrics endpoint: ${metrics.join(', ')}, over time.`;
  const spec = {
    data: { values },
    facet: { row: { field: 'metric', type: 'nominal', title: null, sort: metrics } },
    spec: {
      width: chartWidthPx,
      height: 90,
      mark: { type: 'line', color: '#9467bd' },
      encoding: {
        x: { field: 'timeS', type: 'quantitative', title: 'time (s)' },
        y: { field: 'value', type: 'quantitative', title: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  return {
    id: `server-${index}`,
    title: `Server resources — ${test.label}`,
    description,
    spec: topLevel(spec, description, false),
  };
}
