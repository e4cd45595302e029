import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderToString } from 'ink';
import { createElement } from 'react';
import { Dashboard } from './dashboard.js';
import type { LiveStats } from './live-stats.js';
import { renderLiveLine } from './plain.js';
import { resultJsonSchema } from './write-schema.js';

const stats: LiveStats = {
  second: 12,
  elapsedMs: 12_000,
  durationMs: 30_000,
  workers: 2,
  targetConnections: 200,
  openConnections: 198,
  targetMessagesPerSecond: 300,
  sentPerSecond: 297,
  ackedPerSecond: 296,
  deliveredPerSecond: 640,
  ackMs: { p50: 3.2, p95: 11.5, p99: 40 },
  deliveryMs: { p50: 4.1, p95: 15, p99: 120 },
  sent: 3000,
  acked: 2990,
  delivered: 6400,
  outstanding: 12,
  duplicated: 0,
  outOfOrder: 1,
  errors: 2,
  connectErrors: 0,
  generatorCpuCores: 0.4,
};

describe('renderers', () => {
  it('the plain line shows targets next to actuals, percentiles and checker counts', () => {
    const line = renderLiveLine(stats);
    expect(line).toContain('[12.0s/30.0s]');
    expect(line).toContain('conn 198/200');
    expect(line).toContain('sent 297 ack 296 dlv 640 (target 300)');
    expect(line).toContain('ack p50/95/99 3.2/11.5/40.0 ms');
    expect(line).toContain('dup 0 ooo 1 err 2');
  });

  it('the dashboard is a pure function of the snapshot', () => {
    const text = renderToString(createElement(Dashboard, { stats, title: 'capsim loadtest x' }));
    expect(text).toContain('198 / 200');
    expect(text).toContain('remaining 18.0s');
    expect(text).toContain('p99 120');
    expect(text).toContain('out of order 1');
    expect(renderToString(createElement(Dashboard, { stats, title: 't' }))).toBe(
      renderToString(createElement(Dashboard, { stats, title: 't' })),
    );
  });

  it('the committed JSON Schema of the results matches the zod schema', () => {
    const committed = JSON.parse(
      readFileSync(new URL('./loadtest-result.schema.json', import.meta.url), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(resultJsonSchema());
  });
});
