/**
 * A fixed-bucket logarithmic histogram of non-negative values (milliseconds), used for wait, sojourn
 * and end-to-end latency percentiles. Recording is allocation-free and needs no Math.log: the bucket is
 * read straight from the IEEE-754 bits of the value — the exponent picks the octave [2^e, 2^(e+1)) and
 * the top SUB_BITS mantissa bits split the octave into 2^SUB_BITS equal-width buckets. Bucket width is
 * therefore ≤ 1/128 of the value, and a quantile reported as the bucket midpoint is within ±0.4 % of
 * the exact order statistic (the same idea as HdrHistogram's log-linear buckets, at 2 significant
 * digits of precision). Range: 2^-20 ms (≈1 ns) to 2^40 ms (≈35 years); smaller values, including the
 * many exact zeros of "no wait", count in the zero bucket, larger ones in the last bucket.
 * Sum, count, min and max are kept exactly, so means are exact.
 */

const SUB_BITS = 7;
const SUB_BUCKETS = 1 << SUB_BITS;
const MIN_EXPONENT = -20;
const MAX_EXPONENT = 40;
const BUCKETS = (MAX_EXPONENT - MIN_EXPONENT) * SUB_BUCKETS;
/** IEEE-754 biased exponent of 2^MIN_EXPONENT. */
const BIASED_MIN = 1023 + MIN_EXPONENT;
const MIN_VALUE = 2 ** MIN_EXPONENT;
const MAX_VALUE = 2 ** MAX_EXPONENT;

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
/** Index of the word holding sign, exponent and the top 20 mantissa bits. */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

export class LogHistogram {
  readonly counts = new Float64Array(BUCKETS);
  zeroCount = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  record(valueMs: number): void {
    this.count++;
    this.sum += valueMs;
    if (valueMs > this.max) this.max = valueMs;
    if (valueMs < this.min) this.min = valueMs;
    if (valueMs < MIN_VALUE) {
      this.zeroCount++;
      return;
    }
    if (valueMs >= MAX_VALUE) {
      this.counts[BUCKETS - 1]++;
      return;
    }
    scratch[0] = valueMs;
    const high = scratchWords[HIGH_WORD];
    // (biased exponent - BIASED_MIN) · 128 + top 7 mantissa bits, in one shift of the high word.
    this.counts[(high >>> (20 - SUB_BITS)) - BIASED_MIN * SUB_BUCKETS]++;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** The q-quantile (0 ≤ q ≤ 1) as a bucket midpoint, clamped to [min, max]; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let cumulative = this.zeroCount;
    if (cumulative >= rank) return Math.max(0, this.min);
    const counts = this.counts;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      cumulative += counts[bucket];
      if (cumulative >= rank) {
        const octave = Math.floor(bucket / SUB_BUCKETS);
        const sub = bucket % SUB_BUCKETS;
        const low = 2 ** (octave + MIN_EXPONENT) * (1 + sub / SUB_BUCKETS);
        const width = 2 ** (octave + MIN_EXPONENT) / SUB_BUCKETS;
        return Math.min(this.max, Math.max(this.min, low + width / 2));
      }
    }
    return this.max;
  }

  /** Adds another histogram's counts (pooling replications or stations). */
  merge(other: LogHistogram): void {
    for (let bucket = 0; bucket < BUCKETS; bucket++) this.counts[bucket] += other.counts[bucket];
    this.zeroCount += other.zeroCount;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.zeroCount = 0;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }
}
