/**
 * Per-second counters of a run (sent, ACKed, delivered, errors, connects, …) plus gauges sampled
 * once a second (open and target connections, generator CPU). Second `i` covers
 * [start + i s, start + (i+1) s) on the run's shared timeline, so rows of different workers add up.
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
    this.row(this.secondOf(timeMs))[field] += amount;
  }

  all(): SecondStats[] {
    return [...this.rows.values()].sort((a, b) => a.second - b.second);
  }
}

/** Adds rows of several workers second by second (counters and gauges both sum). */
export function mergeSeries(series: SecondStats[][]): SecondStats[] {
  const merged = new Map<number, SecondStats>();
  for (const rows of series) {
    for (const row of rows) {
      const target = merged.get(row.second) ?? emptySecond(row.second);
      for (const [field, value] of Object.entries(row) as [keyof SecondStats, number][]) {
        if (field !== 'second') target[field] += value;
      }
      merged.set(row.second, target);
    }
  }
  return [...merged.values()].sort((a, b) => a.second - b.second);
}
