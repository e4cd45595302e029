/**
 * Per-second counters of a run (sent, ACKed, delivered, errors, connects, …) plus gauges sampled
 * once a second (open and target connections, generator CPU). Second `i` covers
 * [start + i s, start + (i+1) s) on the run's shared timeline, so rows of different workers add up.
 * A worker writes gauges into every second from its first to its last row (a second its loop slept
 * through carries the next sample); merging still carries a worker's gauges over a second it has no
 * row for, so a gap in one worker's rows never reads as "0 connections open".
 */
export const counterFields = [
  'sent',
  'acked',
  'delivered',
  'errors',
  'connects',
  'connectErrors',
  'disconnects',
] as const;
export type CounterField = (typeof counterFields)[number];

/** Sampled levels: a missing sample means "unchanged", never 0 (unlike a counter). */
export const gaugeFields = [
  'openConnections',
  'targetConnections',
  'targetMessagesPerSecond',
  'generatorCpuCores',
] as const;
export type GaugeField = (typeof gaugeFields)[number];

export interface SecondStats {
  second: number;
  sent: number;
  acked: number;
  delivered: number;
  errors: number;
  connects: number;
  connectErrors: number;
  disconnects: number;
  openConnections: number;
  targetConnections: number;
  targetMessagesPerSecond: number;
  /** Generator CPU over this second, as a share of one core per worker, summed over workers. */
  generatorCpuCores: number;
}

export function emptySecond(second: number): SecondStats {
  return {
    second,
    sent: 0,
    acked: 0,
    delivered: 0,
    errors: 0,
    connects: 0,
    connectErrors: 0,
    disconnects: 0,
    openConnections: 0,
    targetConnections: 0,
    targetMessagesPerSecond: 0,
    generatorCpuCores: 0,
  };
}

export class TimeSeries {
  private readonly rows = new Map<number, SecondStats>();
  /** The row `add` wrote last (rows are never removed): most adds land in the same second. */
  private lastSecond = -1;
  private lastRow: SecondStats | null = null;

  constructor(private readonly startMs: number) {}

  secondOf(timeMs: number): number {
    return Math.max(0, Math.floor((timeMs - this.startMs) / 1000));
  }

  row(second: number): SecondStats {
    let row = this.rows.get(second);
    if (!row) {
      row = emptySecond(second);
      this.rows.set(second, row);
    }
    return row;
  }

  add(field: CounterField, timeMs: number, amount = 1): void {
    const second = this.secondOf(timeMs);
    let row = this.lastRow;
    if (row === null || second !== this.lastSecond) {
      row = this.row(second);
      this.lastSecond = second;
      this.lastRow = row;
    }
    row[field] += amount;
  }

  all(): SecondStats[] {
    return [...this.rows.values()].sort((a, b) => a.second - b.second);
  }
}

/**
 * Adds rows of several workers second by second (counters and gauges both sum). Inside a worker's
 * span of seconds, a second it has no row for counts its last known gauges (and no events): a worker
 * is open-connections-wise where it last said it was, not at 0. Before a worker's first row and
 * after its last it adds nothing (not started yet / finished and closed).
 */
export function mergeSeries(series: SecondStats[][]): SecondStats[] {
  const merged = new Map<number, SecondStats>();
  const rowAt = (second: number) => {
    let row = merged.get(second);
    if (!row) {
      row = emptySecond(second);
      merged.set(second, row);
    }
    return row;
  };
  for (const rows of series) {
    let previous: SecondStats | undefined;
    for (const row of [...rows].sort((a, b) => a.second - b.second)) {
      if (previous) {
        for (let gap = previous.second + 1; gap < row.second; gap += 1) {
          const target = rowAt(gap);
          for (const field of gaugeFields) target[field] += previous[field];
        }
      }
      const target = rowAt(row.second);
      for (const field of counterFields) target[field] += row[field];
      for (const field of gaugeFields) target[field] += row[field];
      previous = row;
    }
  }
  return [...merged.values()].sort((a, b) => a.second - b.second);
}
