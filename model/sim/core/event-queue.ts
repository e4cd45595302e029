/**
 * The future-event list: a binary min-heap over typed arrays, ordered by (time, priority, insertion
 * sequence) so that simultaneous events fire in a deterministic order (lower priority value first,
 * then first scheduled first). Heap entries carry their sort keys inline (time, order) plus a slot
 * index; the event's payload (target, kind, argument) lives in pooled slot arrays that are reused
 * through a free list, so scheduling and firing allocate nothing once the arrays have grown.
 *
 * order = (priority + PRIORITY_OFFSET) · 2^SEQUENCE_BITS + sequence, an exact integer in a double
 * (priority ∈ [-1024, 1023], sequence < 2^41 ≈ 2.2·10^12 events per run).
 */

const SEQUENCE_SPAN = 2 ** 41;
const PRIORITY_OFFSET = 1024;
export const MIN_PRIORITY = -1024;
export const MAX_PRIORITY = 1023;

export class EventQueue {
  /** Number of pending events. */
  size = 0;
  /** Heap keys; heapTime[0] is the earliest time when size > 0 (read by Simulation.run). */
  heapTime: Float64Array;
  private heapOrder: Float64Array;
  private heapSlot: Int32Array;
  /** Payload per slot; read them after `pop()` returned the slot, before scheduling anew. */
  targets: Int32Array;
  kinds: Int32Array;
  args: Int32Array;
  private freeSlots: Int32Array;
  private freeCount: number;
  private sequence = 0;
  /** Time of the event `pop()` returned last. */
  poppedTime = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.heapTime = new Float64Array(capacity);
    this.heapOrder = new Float64Array(capacity);
    this.heapSlot = new Int32Array(capacity);
    this.targets = new Int32Array(capacity);
    this.kinds = new Int32Array(capacity);
    this.args = new Int32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    for (let index = 0; index < capacity; index++) this.freeSlots[index] = capacity - 1 - index;
    this.freeCount = capacity;
  }

  /** Adds an event; returns its slot (valid until the event is popped). */
  push(time: number, priority: number, target: number, kind: number, arg: number): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.targets[slot] = target;
    this.kinds[slot] = kind;
    this.args[slot] = arg;
    const order = (priority + PRIORITY_OFFSET) * SEQUENCE_SPAN + this.sequence++;
    // Sift up: move parents down until the new key fits.
    const heapTime = this.heapTime;
    const heapOrder = this.heapOrder;
    const heapSlot = this.heapSlot;
    let index = this.size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = heapTime[parent];
      if (parentTime < time || (parentTime === time && heapOrder[parent] < order)) break;
      heapTime[index] = parentTime;
      heapOrder[index] = heapOrder[parent];
      heapSlot[index] = heapSlot[parent];
      index = parent;
    }
    heapTime[index] = time;
    heapOrder[index] = order;
    heapSlot[index] = slot;
    return slot;
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number {
    return this.size > 0 ? this.heapTime[0] : Infinity;
  }

  /**
   * Removes the earliest event and returns its slot; the slot is already back in the free list, so
   * read targets/kinds/args[slot] before the next push. Sets `poppedTime`. Call only when size > 0.
   */
  pop(): number {
    const heapTime = this.heapTime;
    const heapOrder = this.heapOrder;
    const heapSlot = this.heapSlot;
    const slot = heapSlot[0];
    this.poppedTime = heapTime[0];
    this.freeSlots[this.freeCount++] = slot;
    const last = --this.size;
    if (last === 0) return slot;
    const time = heapTime[last];
    const order = heapOrder[last];
    const lastSlot = heapSlot[last];
    // Sift down the former last entry from the root.
    let index = 0;
    const half = last >> 1;
    while (index < half) {
      let child = 2 * index + 1;
      let childTime = heapTime[child];
      let childOrder = heapOrder[child];
      const right = child + 1;
      if (right < last) {
        const rightTime = heapTime[right];
        if (rightTime < childTime || (rightTime === childTime && heapOrder[right] < childOrder)) {
          child = right;
          childTime = rightTime;
          childOrder = heapOrder[right];
        }
      }
      if (time < childTime || (time === childTime && order < childOrder)) break;
      heapTime[index] = childTime;
      heapOrder[index] = childOrder;
      heapSlot[index] = heapSlot[child];
      index = child;
    }
    heapTime[index] = time;
    heapOrder[index] = order;
    heapSlot[index] = lastSlot;
    return slot;
  }

  /** Bytes held by the typed arrays (for the memory-per-entity benchmark). */
  bytes(): number {
    return this.heapTime.length * (8 + 8 + 4 + 4 + 4 + 4 + 4);
  }

  private grow(): void {
    const old = this.heapTime.length;
    const capacity = old * 2;
    const widenF = (array: Float64Array) => {
      const next = new Float64Array(capacity);
      next.set(array);
      return next;
    };
    const widenI = (array: Int32Array) => {
      const next = new Int32Array(capacity);
      next.set(array);
      return next;
    };
    this.heapTime = widenF(this.heapTime);
    this.heapOrder = widenF(this.heapOrder);
    this.heapSlot = widenI(this.heapSlot);
    this.targets = widenI(this.targets);
    this.kinds = widenI(this.kinds);
    this.args = widenI(this.args);
    const free = new Int32Array(capacity);
    free.set(this.freeSlots.subarray(0, this.freeCount));
    // All old slots are in use (we only grow when the free list is empty): add the new ones.
    for (let slot = capacity - 1; slot >= old; slot--) free[this.freeCount++] = slot;
    this.freeSlots = free;
  }
}
