/** Plain-text renderers (CI logs, non-TTY): pure functions of a stats snapshot or a result. */
import { formatDurationMs } from '../duration.js';
import type { LiveStats } from './live-stats.js';
import type { LoadTestResult } from './result-schema.js';

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

/** One line per second: `[12s/30s] conn 200/200 | msg/s sent 60 ack 60 dlv 59 (target 60) | ack p50/95/99 …`. */
export function renderLiveLine(stats: LiveStats): string {
  return [
    `[${formatDurationMs(stats.elapsedMs)}/${formatDurationMs(stats.durationMs)}]`,
    `conn ${stats.openConnections}/${stats.targetConnections}`,
    `| msg/s sent ${stats.sentPerSecond} ack ${stats.ackedPerSecond} dlv ${stats.deliveredPerSecond} (target ${Math.round(stats.targetMessagesPerSecond)})`,
    `| ack p50/95/99 ${ms(stats.ackMs.p50)}/${ms(stats.ackMs.p95)}/${ms(stats.ackMs.p99)} ms`,
    `| dlv p50/95/99 ${ms(stats.deliveryMs.p50)}/${ms(stats.deliveryMs.p95)}/${ms(stats.deliveryMs.p99)} ms`,
    `| owed ${stats.outstanding} dup ${stats.duplicated} ooo ${stats.outOfOrder} err ${stats.errors + stats.connectErrors}`,
    `| cpu ${stats.generatorCpuCores.toFixed(2)} cores`,
  ].join(' ');
}

/** The end-of-run summary printed by `capsim loadtest`. */
export function renderSummary(result: LoadTestResult): string {
  const { summary, latency, checker, generator } = result;
  const lines = [
    `capsim loadtest ${result.scenario.name} → ${result.target}${result.slice ? ` (slice ${result.slice.index}/${result.slice.count})` : ''}`,
    `  run ${result.runId}: ${formatDurationMs(result.durationMs)} sending + ${formatDurationMs(result.drainMs)} drain, ${result.environment.workers.length} worker(s), ${summary.users} users`,
    `  connections  max open ${summary.connections.maxOpen}/${summary.connections.target}, attempts ${summary.connections.attempts}, errors ${summary.connections.errors}, reconnects ${summary.connections.reconnects}`,
    `  messages     sent ${summary.messages.sent}, acked ${summary.messages.acked}, unacked ${summary.messages.unacked}, send errors ${summary.messages.sendErrors}, retries ${summary.messages.retries}`,
    `  throughput   sent ${summary.throughput.sentPerSecond}/s, acked ${summary.throughput.ackedPerSecond}/s, delivered ${summary.throughput.deliveredPerSecond}/s`,
    `  latency ms   ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'p99.9'.padStart(8)} ${'max'.padStart(8)}  count`,
    ...(['connect', 'ack', 'delivery', 'inbox'] as const).flatMap((name) => {
      const l = latency[name];
      if (!l) return [];
      return `    ${name.padEnd(10)} ${[l.p50Ms, l.p95Ms, l.p99Ms, l.p999Ms, l.maxMs].map((v) => ms(v).padStart(8)).join(' ')}  ${l.count}`;
    }),
    ...result.http.map(
      (h) =>
        `    http ${h.name.padEnd(5)} ${[h.latency.p50Ms, h.latency.p95Ms, h.latency.p99Ms, h.latency.p999Ms, h.latency.maxMs].map((v) => ms(v).padStart(8)).join(' ')}  ${h.requests} req, ${h.errors + h.non2xx} errors`,
    ),
    `  checker      expected ${checker.expectedDeliveries}, delivered ${checker.deliveredExpected}, lost ${checker.lost}, duplicated ${checker.duplicated}, out of order ${checker.outOfOrder}, redelivered ${checker.redelivered}, seq gaps ${checker.seqGaps}`,
    `  generator    ${generator.note}`,
  ];
  if (Object.keys(summary.errorsByCode).length > 0)
    lines.push(
      `  errors       ${Object.entries(summary.errorsByCode)
        .map(([code, n]) => `${code} ${n}`)
        .join(', ')}`,
    );
  const cpu =
    result.server?.samples
      .map((s) => s.values.server_cpu_cores)
      .filter((v): v is number => v !== undefined) ?? [];
  if (cpu.length > 0)
    lines.push(
      `  server       CPU ${Math.max(...cpu).toFixed(2)} cores at most (from ${result.server?.url})`,
    );
  lines.push('  thresholds');
  for (const t of result.thresholds) {
    const observed =
      t.observed === null
        ? 'no data'
        : Number.isInteger(t.observed)
          ? String(t.observed)
          : t.observed.toFixed(3);
    lines.push(`    ${t.passed ? '✓' : '✗'} ${t.threshold.padEnd(36)} observed ${observed}`);
  }
  lines.push(result.passed ? 'PASSED' : 'FAILED: a threshold was not met');
  return lines.join('\n');
}
