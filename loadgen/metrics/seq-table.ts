/**
 * seq → positive integer (a connection id, a member number) for the checker's books, which are read and
 * written on every delivery. Servers number messages 1, 2, 3, … per conversation, so while the seqs
 * seen stay dense the table is a growable Int32Array indexed by seq (no hashing, no per-entry objects,
 * nothing for the GC to trace); the first seq that is not a small positive integer, or one far past
 * the entries held (a server with global or sparse numbering), moves the table to a Map for good.
 */
const initialCapacity = 16;
/** Dense while a new seq is below this many slots per entry held (plus a margin). */
const maxSlotsPerEntry = 8;
const denseMargin = 1024;

export class SeqTable {
  private dense: Int32Array | null = new Int32Array(initialCapacity);
  private sparse: Map<number, number> | null = null;
  size = 0;

  get(seq: number): number | undefined {
    const dense = this.dense;
    if (dense !== null) {
      if (seq >= 1 && seq < dense.length) {
        const value = dense[seq];
        return value > 0 ? value : undefined; // a fractional seq reads undefined: never stored dense
      }
      return undefined;
    }
    return (this.sparse as Map<number, number>).get(seq);
  }

  has(seq: number): boolean {
    return this.get(seq) !== undefined;
  }

  /** `value` must be a positive 31-bit integer (0 marks an empty dense slot). */
  set(seq: number, value: number): void {
    if (this.dense !== null && !this.fitsDense(seq)) this.toSparse();
    const dense = this.dense;
    if (dense !== null) {
      if (dense[seq] === 0) this.size += 1;
      dense[seq] = value;
      return;
    }
    const sparse = this.sparse as Map<number, number>;
    sparse.set(seq, value);
    this.size = sparse.size;
  }

  /** Every (seq, value), in ascending seq order while dense, in insertion order once sparse. */
  forEach(visit: (value: number, seq: number) => void): void {
    const dense = this.dense;
    if (dense === null) {
      (this.sparse as Map<number, number>).forEach(visit);
      return;
    }
    for (let seq = 1; seq < dense.length; seq += 1) if (dense[seq] !== 0) visit(dense[seq], seq);
  }

  keys(): number[] {
    const seqs: number[] = [];
    this.forEach((_value, seq) => seqs.push(seq));
    return seqs;
  }

  /** Room for `seq` in the dense array (growing it), or false when the table should go sparse. */
  private fitsDense(seq: number): boolean {
    const dense = this.dense as Int32Array;
    if (seq >= 1 && seq < dense.length && Number.isInteger(seq)) return true;
    if (!Number.isInteger(seq) || seq < 1 || seq > denseMargin + maxSlotsPerEntry * (this.size + 1))
      return false;
    let capacity = dense.length;
    while (capacity <= seq) capacity *= 2;
    const grown = new Int32Array(capacity);
    grown.set(dense);
    this.dense = grown;
    return true;
  }

  private toSparse(): void {
    const sparse = new Map<number, number>();
    this.forEach((value, seq) => sparse.set(seq, value));
    this.sparse = sparse;
    this.dense = null;
  }
}
