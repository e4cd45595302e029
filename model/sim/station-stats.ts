/**
 * Per-station statistics shared by every station type: counts, time-weighted areas (queue length,
 * busy servers, jobs in station) and wait/sojourn histograms. Areas integrate piecewise-constant
 * levels: call `advance(…)` BEFORE each change of either level.
 * Little's law check: meanInStation (time average) ≈ arrivalRate · mean sojourn.
 */
import { LogHistogram } from './core/log-histogram.js';

export interface LatencySummaryMs {
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** One station's results for one replication. */
export interface StationReplicationStats {
  name: string;
  servers: number;
  arrivals: number;
  departures: number;
  drops: number;
  timeouts: number;
  retries: number;
  failed: number;
  /** Busy-server time / (nominal servers × measured time). */
  utilization: number;
  meanQueueLength: number;
  maxQueueLength: number;
  /** Time-average jobs in the station (queue + service), L in Little's law. */
  meanInStation: number;
  arrivalsPerSecond: number;
  throughputPerSecond: number;
  /** Share of jobs that waited at all before service (Erlang C's P(wait) for M/M/c). */
  waitProbability: number;
  wait: LatencySummaryMs;
  sojourn: LatencySummaryMs;
  /** Batching stations: flushes and mean batch size. */
  batches?: number;
  meanBatchSize?: number;
}

export function summarize(histogram: LogHistogram): LatencySummaryMs {
  return {
    meanMs: histogram.mean,
    p50Ms: histogram.quantile(0.5),
    p90Ms: histogram.quantile(0.9),
    p95Ms: histogram.quantile(0.95),
    p99Ms: histogram.quantile(0.99),
    p999Ms: histogram.quantile(0.999),
    maxMs: histogram.max,
  };
}

export class StationStats {
  arrivals = 0;
  departures = 0;
  drops = 0;
  timeouts = 0;
  retries = 0;
  failed = 0;
  batches = 0;
  batchedItems = 0;
  queueArea = 0;
  busyArea = 0;
  inServiceArea = 0;
  maxQueue = 0;
  startMs = 0;
  lastMs = 0;
  readonly wait = new LogHistogram();
  readonly sojourn = new LogHistogram();

  /**
   * Integrates the current levels up to `nowMs`: `queued` jobs waiting, `busy` servers working,
   * `inService` jobs being served (= busy, except in batching stations where a server serves a batch).
   */
  advance(nowMs: number, queued: number, busy: number, inService: number): void {
    const dt = nowMs - this.lastMs;
    this.queueArea += queued * dt;
    this.busyArea += busy * dt;
    this.inServiceArea += inService * dt;
    this.lastMs = nowMs;
    if (queued > this.maxQueue) this.maxQueue = queued;
  }

  /** Forgets everything before `nowMs` (end of warm-up); `queued` seeds the max. */
  reset(nowMs: number, queued: number): void {
    this.arrivals = 0;
    this.departures = 0;
    this.drops = 0;
    this.timeouts = 0;
    this.retries = 0;
    this.failed = 0;
    this.batches = 0;
    this.batchedItems = 0;
    this.queueArea = 0;
    this.busyArea = 0;
    this.inServiceArea = 0;
    this.maxQueue = queued;
    this.startMs = nowMs;
    this.lastMs = nowMs;
    this.wait.reset();
    this.sojourn.reset();
  }

  snapshot(name: string, servers: number, nowMs: number, batching: boolean): StationReplicationStats {
    const elapsedMs = nowMs - this.startMs;
    const seconds = elapsedMs / 1000;
    const stats: StationReplicationStats = {
      name,
      servers,
      arrivals: this.arrivals,
      departures: this.departures,
      drops: this.drops,
      timeouts: this.timeouts,
      retries: this.retries,
      failed: this.failed,
      utilization: elapsedMs > 0 ? this.busyArea / (servers * elapsedMs) : 0,
      meanQueueLength: elapsedMs > 0 ? this.queueArea / elapsedMs : 0,
      maxQueueLength: this.maxQueue,
      meanInStation: elapsedMs > 0 ? (this.queueArea + this.inServiceArea) / elapsedMs : 0,
      arrivalsPerSecond: seconds > 0 ? this.arrivals / seconds : 0,
      throughputPerSecond: seconds > 0 ? this.departures / seconds : 0,
      waitProbability: this.wait.count > 0 ? (this.wait.count - this.wait.zeroCount) / this.wait.count : 0,
      wait: summarize(this.wait),
      sojourn: summarize(this.sojourn),
    };
    if (batching) {
      stats.batches = this.batches;
      stats.meanBatchSize = this.batches > 0 ? this.batchedItems / this.batches : 0;
    }
    return stats;
  }
}
