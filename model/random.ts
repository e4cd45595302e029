/**
 * capsim's seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018) on four 32-bit words
 * kept in a Uint32Array, seeded through splitmix32. Everything in model/ that needs randomness takes a
 * `Random` (never Math.random), so the same seed gives byte-identical results on every run and platform:
 * the algorithm uses only 32-bit integer operations (Math.imul, shifts, xor), which JavaScript defines
 * exactly, and the final conversion to [0, 1) is an exact division by 2^32 (or 2^53).
 *
 * Streams: `fork(streamId)` derives an independent generator from the ROOT seed and the stream id only
 * (not from how many numbers the parent has drawn), so adding draws to one component never shifts the
 * numbers another component sees. Forks of forks compose: `fork(a).fork(b)` is a stable stream too.
 */

/** A seeded generator of uniform numbers. */
export interface Random {
  /** Uniform in [0, 1) with 32 bits of resolution (fast path). */
  next(): number;
  /** Uniform in [0, 1) with 53 bits of resolution (two draws). */
  nextDouble(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (unbiased, by rejection). */
  nextInt(n: number): number;
  /** An independent generator for stream `streamId`, a function of this generator's seed and the id only. */
  fork(streamId: number | string): Random;
  /** The 64-bit-ish seed material this generator was created from (for reports and forks). */
  readonly seed: number;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** splitmix32 output function: a strong 32-bit mixer, used to expand seeds into state words. */
function mix32(value: number): number {
  let t = value | 0;
  t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
  t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

/** FNV-1a over UTF-16 code units: turns a string stream id into a 32-bit number. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

/** Splits a finite number into two 32-bit words (low word of the integer part, high word, fraction bits). */
function seedWords(seed: number): [number, number] {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const integer = Math.floor(Math.abs(seed));
  const low = (integer % TWO_POW_32) >>> 0;
  const high = (Math.floor(integer / TWO_POW_32) % TWO_POW_32) >>> 0;
  // Fractions and signs are folded in so that 1.5 and -1 are different seeds from 1.
  const fraction = Math.floor((Math.abs(seed) - integer) * TWO_POW_32) >>> 0;
  const sign = seed < 0 ? 0x9e3779b9 : 0;
  return [low ^ sign, (high ^ mix32(fraction)) >>> 0];
}

/** One 32-bit word identifying a stream. */
function streamIdWord(streamId: number | string): number {
  if (typeof streamId === 'string') return hashString(streamId);
  const [low, high] = seedWords(streamId);
  return (low ^ mix32(high)) >>> 0;
}

class Xoshiro128 implements Random {
  readonly seed: number;
  private readonly state = new Uint32Array(4);
  /** Seed words, kept so forks depend on the root seed only. */
  private readonly root0: number;
  private readonly root1: number;

  constructor(seed: number, root0: number, root1: number, stateWords?: ArrayLike<number>) {
    this.seed = seed;
    this.root0 = root0;
    this.root1 = root1;
    if (stateWords !== undefined) {
      for (let index = 0; index < 4; index++) this.state[index] = stateWords[index] >>> 0;
      return;
    }
    // splitmix32 sequence over the two seed words: four state words that are never all zero.
    let counter = (root0 ^ mix32(root1 + 0x632be5ab)) | 0;
    for (let index = 0; index < 4; index++) {
      counter = (counter + 0x9e3779b9) | 0;
      this.state[index] = mix32(counter);
    }
    if ((this.state[0] | this.state[1] | this.state[2] | this.state[3]) === 0) this.state[0] = 1;
  }

  nextUint32(): number {
    const s = this.state;
    const s0 = s[0];
    const s1 = s[1];
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    // result = rotl(s1 * 5, 7) * 9
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ t;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  nextDouble(): number {
    // 27 + 26 bits, the classic genrand_res53 construction.
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / TWO_POW_53;
  }

  nextInt(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32) || !Number.isInteger(n)) {
      throw new RangeError(`nextInt bound must be an integer in [1, 2^32], got ${n}`);
    }
    // Reject the top partial block so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let value = this.nextUint32();
    while (value >= limit) value = this.nextUint32();
    return value % n;
  }

  fork(streamId: number | string): Random {
    const id = streamIdWord(streamId);
    const word0 = mix32(this.root0 ^ mix32(id + 0x7f4a7c15)) >>> 0;
    const word1 = mix32(this.root1 + Math.imul(id, 0x85ebca6b) + 0x165667b1) >>> 0;
    return new Xoshiro128(this.seed, word0, word1);
  }
}

/** Creates the generator for `seed` (any finite number; integers are the usual choice). */
export function createRandom(seed: number): Random {
  const [root0, root1] = seedWords(seed);
  return new Xoshiro128(seed, root0, root1);
}

/**
 * A generator with its four xoshiro128** state words set directly (not all zero). Used by the
 * known-answer test against the reference C implementation; simulations use `createRandom`.
 */
export function createRandomFromState(words: [number, number, number, number]): Random {
  if ((words[0] | words[1] | words[2] | words[3]) === 0) throw new RangeError('state must not be all zero');
  return new Xoshiro128(0, 0, 0, words);
}
