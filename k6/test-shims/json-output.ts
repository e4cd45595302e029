/**
 * TEST DOUBLE of k6's `--out json` output: the recorded samples as k6 writes them, one JSON object
 * per line — a `Metric` line per metric (type, contains, thresholds) and a `Point` line per sample
 * (time, value, tags including the script's `options.tags`).
 */
import { shimState } from './state.js';

export function buildShimJsonOutput(options: {
  thresholds?: Record<string, string[]>;
  tags?: Record<string, string>;
}): string {
  const lines: string[] = [];
  for (const metric of shimState().metrics.values()) {
    lines.push(
      JSON.stringify({
        type: 'Metric',
        data: {
          type: metric.type,
          contains: metric.isTime ? 'time' : 'default',
          thresholds: options.thresholds?.[metric.name] ?? [],
          submetrics: null,
        },
        metric: metric.name,
      }),
    );
    metric.values.forEach((value, index) => {
      lines.push(
        JSON.stringify({
          type: 'Point',
          data: {
            time: new Date(metric.times[index]).toISOString(),
            value,
            tags: { ...options.tags, ...metric.tags[index] },
          },
          metric: metric.name,
        }),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
