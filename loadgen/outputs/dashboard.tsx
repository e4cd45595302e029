/**
 * The live dashboard on a TTY (ink). `Dashboard` is a pure function of a LiveStats snapshot; the
 * command imports this module lazily, so ink and react load only when a dashboard is shown.
 */
import { Box, Text, render } from 'ink';
import { formatDurationMs } from '../duration.js';
import type { LiveStats } from './live-stats.js';

function bar(value: number, target: number, width = 24): string {
  const filled = target > 0 ? Math.max(0, Math.min(width, Math.round((value / target) * width))) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

const fmt = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

export function Dashboard({
  stats,
  title,
  width = 100,
}: {
  stats: LiveStats | null;
  title: string;
  width?: number;
}) {
  if (!stats) return <Text>{title}: starting…</Text>;
  const remaining = Math.max(0, stats.durationMs - stats.elapsedMs);
  const problems = stats.duplicated + stats.outOfOrder + stats.errors + stats.connectErrors;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>
        {title} — elapsed {formatDurationMs(stats.elapsedMs)}, remaining{' '}
        {remaining > 0 ? formatDurationMs(remaining) : 'draining'} ({stats.workers} worker
        {stats.workers === 1 ? '' : 's'})
      </Text>
      <Text>
        connections {bar(stats.openConnections, Math.max(stats.targetConnections, 1))} {stats.openConnections}{' '}
        / {stats.targetConnections}
      </Text>
      <Text>
        sent/s {bar(stats.sentPerSecond, Math.max(stats.targetMessagesPerSecond, 1))} {stats.sentPerSecond} /{' '}
        {Math.round(stats.targetMessagesPerSecond)}
      </Text>
      <Text>
        acked/s {bar(stats.ackedPerSecond, Math.max(stats.targetMessagesPerSecond, 1))} {stats.ackedPerSecond}
      </Text>
      <Text>delivered/s {stats.deliveredPerSecond}</Text>
      <Text>
        ACK ms p50 {fmt(stats.ackMs.p50)} p95 {fmt(stats.ackMs.p95)} p99 {fmt(stats.ackMs.p99)}
      </Text>
      <Text>
        delivery ms p50 {fmt(stats.deliveryMs.p50)} p95 {fmt(stats.deliveryMs.p95)} p99{' '}
        {fmt(stats.deliveryMs.p99)}
      </Text>
      <Text color={stats.duplicated + stats.outOfOrder > 0 ? 'red' : undefined}>
        owed {stats.outstanding} duplicated {stats.duplicated} out of order {stats.outOfOrder}
      </Text>
      <Text color={problems > 0 ? 'yellow' : undefined}>
        errors {stats.errors} connect errors {stats.connectErrors} generator CPU{' '}
        {stats.generatorCpuCores.toFixed(2)} cores
      </Text>
    </Box>
  );
}

/** Starts the dashboard; returns an update function and a stop function. */
export function startDashboard(title: string): { update(stats: LiveStats): void; stop(): void } {
  // Some pseudo-terminals report 0 columns: fall back to 100.
  const width = Math.min(120, process.stdout.columns || 100);
  const app = render(<Dashboard stats={null} title={title} width={width} />);
  return {
    update: (stats) => app.rerender(<Dashboard stats={stats} title={title} width={width} />),
    stop: () => app.unmount(),
  };
}
