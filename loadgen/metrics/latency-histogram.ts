/**
 * Latency distributions as HDR histograms (hdr-histogram-js): values recorded in microseconds with 3
 * significant digits, so percentiles are exact to 0.1% and never rounded to buckets of a fixed width.
 * Histograms from different workers merge exactly (bucket counts add), and travel as the standard
 * compressed base64 encoding, readable by any HdrHistogram implementation.
 */
import * as hdr from 'hdr-histogram-js';
import type { TrendStats } from '../thresholds.js';

const config: hdr.BuildRequest = {
  bitBucketSize: 32,
  autoResize: true,
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000, // one hour in µs; autoResize grows beyond if needed
  numberOfSignificantValueDigits: 3,
  useWebAssembly: false,
};

export class LatencyHistogram {
  private readonly histogram: hdr.Histogram;
  /** Samples below zero (a clock moved backwards or a skewed remote clock): kept visible, recorded as 0. */
  negativeSamples = 0;

  constructor(histogram?: hdr.Histogram) {
    this.histogram = histogram ?? hdr.build(config);
  }

  recordMs(latencyMs: number): void {
    if (latencyMs < 0) this.negativeSamples += 1;
    this.histogram.recordValue(Math.max(0, Math.round(latencyMs * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
    this.negativeSamples += other.negativeSamples;
  }

  percentileMs(percentile: number): number {
    return this.histogram.getValueAtPercentile(percentile) / 1000;
  }

  stats(): TrendStats {
    const empty = this.histogram.totalCount === 0;
    return {
      count: this.histogram.totalCount,
      // Bucket-equivalent min/max (not the raw extremes) so a merged histogram reports the same figures.
      minMs: empty ? 0 : this.percentileMs(0),
      maxMs: empty ? 0 : this.percentileMs(100),
      meanMs: this.histogram.mean / 1000,
      percentileMs: (p: number) => this.percentileMs(p),
    };
  }

  /** Summary for results and dashboards (milliseconds). */
  summary(): LatencySummary {
    const s = this.stats();
    return {
      count: s.count,
      minMs: s.minMs,
      meanMs: round(s.meanMs),
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p95Ms: this.percentileMs(95),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: s.maxMs,
    };
  }

  encode(): EncodedHistogram {
    return {
      unit: 'us',
      negativeSamples: this.negativeSamples,
      hdr: hdr.encodeIntoCompressedBase64(this.histogram),
    };
  }

  static decode(encoded: EncodedHistogram): LatencyHistogram {
    const decoded = hdr.decodeFromCompressedBase64(encoded.hdr, 32, false);
    const result = new LatencyHistogram();
    result.histogram.add(decoded);
    result.negativeSamples = encoded.negativeSamples;
    return result;
  }

  /** Merges encoded histograms exactly: the result equals one histogram of all their samples. */
  static merge(encoded: EncodedHistogram[]): LatencyHistogram {
    const merged = new LatencyHistogram();
    for (const item of encoded) merged.add(LatencyHistogram.decode(item));
    return merged;
  }
}

export interface EncodedHistogram {
  /** Recorded values are microseconds. */
  unit: 'us';
  negativeSamples: number;
  /** HdrHistogram compressed base64 (V2 encoding). */
  hdr: string;
}

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
