/**
 * Write buffer with group commit (seed 001 §1.B: "Batch 100 messages = 1 DB transaction … auto-flush
 * every 100ms or 100 messages"). A commit starts at `maxMessages` waiting messages or `maxDelayMs`
 * after the oldest one arrived, whichever comes first, and takes everything waiting up to
 * `maxBatchMessages`; one transaction at a time. Each `add` resolves only once its
 * message is committed, so the caller ACKs after durability.
 *
 * Failure rule (no gaps in accepted seqs): when a commit fails, that batch AND everything buffered
 * behind it are rejected, the epoch advances and the sequence allocator is invalidated, so the next
 * accepted message continues right after the last committed seq.
 */
import type { AppendItem, MessageStore, SequenceAllocator } from '../contracts.js';
import type { WriteBufferOptions } from '../options.js';
import type { Breaker } from './resilience.js';
import type { GatewayMetrics } from './metrics.js';

interface Pending {
  item: AppendItem;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class OverloadedError extends Error {}

export class WriteBuffer {
  private buffer: Pending[] = [];
  private committing = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private oldestWaitingSinceMs = 0;
  private flushing: Promise<void> | undefined;
  /** Slots taken by sends between the overload check and `add` (so a burst cannot overshoot). */
  private reserved = 0;
  /** Advances on every failed commit; messages whose seq came from an older epoch are rejected. */
  epoch = 0;

  constructor(
    private readonly store: MessageStore,
    private readonly sequences: SequenceAllocator,
    private readonly breaker: Breaker,
    private readonly options: WriteBufferOptions,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Messages buffered or being committed. */
  get depth(): number {
    return this.buffer.length + this.committing + this.reserved;
  }

  /** Takes a slot for a send about to be sequenced; false when the buffer is full (E_OVERLOADED). */
  tryReserve(): boolean {
    if (this.depth >= this.options.maxPending) return false;
    this.reserved += 1;
    return true;
  }

  /** Gives a reserved slot back (the send ended before `add`). */
  release(): void {
    this.reserved -= 1;
  }

  /** Adds a message; consumes the slot taken by `tryReserve`. */
  add(item: AppendItem, epoch: number): Promise<void> {
    this.reserved -= 1;
    if (epoch !== this.epoch)
      return Promise.reject(new Error('storage failed while the message was being sequenced'));
    return new Promise<void>((resolve, reject) => {
      if (this.buffer.length === 0) this.oldestWaitingSinceMs = performance.now();
      this.buffer.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Decides when the next commit starts. At `maxMessages` it starts on the next turn of the event loop
   * (setImmediate), so every frame already read from the sockets joins the same transaction — true
   * group commit, up to `maxBatchMessages`; otherwise when the oldest waiting message is `maxDelayMs` old.
   */
  private schedule(): void {
    if (this.flushing !== undefined || this.buffer.length === 0) return;
    const waitedMs = performance.now() - this.oldestWaitingSinceMs;
    if (this.buffer.length >= this.options.maxMessages || waitedMs >= this.options.maxDelayMs) {
      if (this.immediate === undefined) this.immediate = setImmediate(() => this.kick());
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.kick(), this.options.maxDelayMs - waitedMs);
    }
  }

  private kick(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.flushing !== undefined || this.buffer.length === 0) return;
    const flushing: Promise<void> = this.commitNext().finally(() => {
      if (this.flushing === flushing) {
        this.flushing = undefined;
        this.schedule();
      }
    });
    this.flushing = flushing;
  }

  /**
   * Called when a commit succeeded: hands the turn to the next commit at once if messages are waiting
   * (they waited a whole transaction already), else lets `schedule` apply the size/time rule.
   */
  private startNextNow(): void {
    this.flushing = undefined;
    if (this.buffer.length > 0) this.kick();
    else this.schedule();
  }

  private async commitNext(): Promise<void> {
    const batch = this.buffer.splice(0, this.options.maxBatchMessages);
    if (this.buffer.length > 0) this.oldestWaitingSinceMs = performance.now();
    this.committing = batch.length;
    try {
      await this.breaker.execute(() => this.store.appendBatch(batch.map((p) => p.item)));
      this.metrics.counters.storageTransactions += 1;
      this.metrics.writeBatchSize.observe(batch.length);
      this.committing = 0;
      // Pipelining: the next transaction (what arrived during this one) starts before this batch's
      // ACKs and fan-out run, so the writer commits while the event loop sends — not turn about.
      this.startNextNow();
      for (const p of batch) p.resolve();
    } catch (error) {
      this.committing = 0;
      const failed = [...batch, ...this.buffer.splice(0)];
      this.epoch += 1;
      await this.sequences.invalidate().catch(() => undefined);
      const reason = error instanceof Error ? error : new Error(String(error));
      for (const p of failed) p.reject(reason);
    }
  }

  /** Commits everything buffered (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.buffer.length > 0 || this.flushing !== undefined) {
      if (this.flushing === undefined) this.kick();
      await this.flushing;
    }
  }
}
