/**
 * Jobs in flight (messages, requests, reconnect attempts) as rows of typed arrays, recycled through a
 * free list: creating and finishing a job allocates nothing once the arrays have grown. An entity id
 * is a row index; it is only valid between `allocate()` and `release()`.
 */
export class EntityPool {
  /** When the job entered the system (end-to-end latency origin). */
  createdAtMs: Float64Array;
  /** When it arrived at its current station (wait and sojourn origin). */
  arrivedAtMs: Float64Array;
  /** Deadline of its current wait (timeouts); compared on the timeout event to ignore stale ones. */
  deadlineMs: Float64Array;
  /** Source (job class) that created it. */
  source: Int32Array;
  /** Client number within a closed source (-1 for open sources). */
  client: Int32Array;
  /** Station whose queue it waits in (-1 when not waiting). */
  waitingAt: Int32Array;
  /** Attempts so far at the current station (timeouts / drops with retries). */
  attempts: Int32Array;
  /** Next entity in a batch (linked list; -1 ends it). */
  next: Int32Array;
  /** Rows in use right now, and the most ever in use. */
  live = 0;
  peakLive = 0;
  private free: Int32Array;
  private freeCount: number;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.createdAtMs = new Float64Array(capacity);
    this.arrivedAtMs = new Float64Array(capacity);
    this.deadlineMs = new Float64Array(capacity);
    this.source = new Int32Array(capacity);
    this.client = new Int32Array(capacity);
    this.waitingAt = new Int32Array(capacity).fill(-1);
    this.attempts = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    for (let index = 0; index < capacity; index++) this.free[index] = capacity - 1 - index;
    this.freeCount = capacity;
  }

  allocate(nowMs: number, source: number, client: number): number {
    if (this.freeCount === 0) this.grow();
    const entity = this.free[--this.freeCount];
    // arrivedAtMs and next are set by the station that receives the job; waitingAt is -1 for free rows.
    this.createdAtMs[entity] = nowMs;
    this.source[entity] = source;
    this.client[entity] = client;
    this.attempts[entity] = 0;
    if (++this.live > this.peakLive) this.peakLive = this.live;
    return entity;
  }

  release(entity: number): void {
    this.waitingAt[entity] = -1;
    this.free[this.freeCount++] = entity;
    this.live--;
  }

  /** Bytes per entity row (benchmark: memory per in-flight entity). */
  static readonly bytesPerEntity = 8 * 3 + 4 * 5 + 4;

  get capacity(): number {
    return this.createdAtMs.length;
  }

  private grow(): void {
    const old = this.createdAtMs.length;
    const capacity = old * 2;
    const f = (array: Float64Array) => {
      const next = new Float64Array(capacity);
      next.set(array);
      return next;
    };
    const i = (array: Int32Array) => {
      const next = new Int32Array(capacity);
      next.set(array);
      return next;
    };
    this.createdAtMs = f(this.createdAtMs);
    this.arrivedAtMs = f(this.arrivedAtMs);
    this.deadlineMs = f(this.deadlineMs);
    this.source = i(this.source);
    this.client = i(this.client);
    this.waitingAt = i(this.waitingAt);
    this.waitingAt.fill(-1, old);
    this.attempts = i(this.attempts);
    this.next = i(this.next);
    const free = new Int32Array(capacity);
    for (let row = capacity - 1; row >= old; row--) free[this.freeCount++] = row;
    this.free = free;
  }
}
