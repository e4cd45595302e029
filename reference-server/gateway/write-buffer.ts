/**
 * Write buffer with group commit (seed 001 §1.B: "Batch 100 messages = 1 DB transaction … auto-flush
 * every 100ms or 100 messages"). A commit starts at `maxMessages` waiting messages or `maxDelayMs`
 * after the oldest one arrived, whichever comes first, and takes everything waiting up to
 * `maxBatchMessages`. Each message's waiter hears `committed()` only once the batch is durable, so the
 * caller ACKs after durability.
 *
 * Commits in flight: one, or the store's `appendPipelineDepth` (the embedded writer thread takes 2:
 * while one batch commits the next is already queued there, so the writer never waits for the
 * gateway's event loop between transactions). Such a store commits in call order and fails every
 * batch queued behind a failed one.
 *
 * Failure rule (no gaps in accepted seqs): when a commit fails, that batch AND everything buffered
 * behind it are rejected, the epoch advances and the sequence allocator is invalidated, so the next
 * accepted message continues right after the last committed seq. No new commit starts until every
 * batch that was in flight at the failure has settled.
 */
import type { AppendItem, MessageStore, SequenceAllocator } from '../contracts.js';
import type { WriteBufferOptions } from '../options.js';
import type { Breaker } from './resilience.js';
import type { GatewayMetrics } from './metrics.js';

/** Told the outcome of one message's commit (a callback object, not a promise: one per message). */
export interface CommitWaiter {
  committed(): void;
  failed(error: Error): void;
}

interface Pending {
  item: AppendItem;
  waiter: CommitWaiter;
}

export class OverloadedError extends Error {}

export class WriteBuffer {
  private buffer: Pending[] = [];
  /** Messages in commits that have not settled yet. */
  private committing = 0;
  /** Commits that have not settled yet (≤ pipelineDepth). */
  private inFlight = 0;
  private readonly pipelineDepth: number;
  /** Set by a failed commit until every commit in flight at that moment has settled. */
  private recovering = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private oldestWaitingSinceMs = 0;
  private idleWaiters: (() => void)[] = [];
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
  ) {
    this.pipelineDepth = Math.max(1, Math.floor(store.appendPipelineDepth ?? 1));
  }

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

  /**
   * Adds a message; consumes the slot taken by `tryReserve`. Throws when storage failed since the
   * message's seq was allocated (`epoch` is the buffer's epoch read before allocating).
   */
  add(item: AppendItem, epoch: number, waiter: CommitWaiter): void {
    this.reserved -= 1;
    if (epoch !== this.epoch) throw new Error('storage failed while the message was being sequenced');
    if (this.buffer.length === 0) this.oldestWaitingSinceMs = performance.now();
    this.buffer.push({ item, waiter });
    this.schedule();
  }

  /**
   * Decides when the next commit starts. At `maxMessages` it starts on the next turn of the event loop
   * (setImmediate), so every frame already read from the sockets joins the same transaction — true
   * group commit, up to `maxBatchMessages`; otherwise when the oldest waiting message is `maxDelayMs` old.
   */
  private schedule(): void {
    if (this.inFlight >= this.pipelineDepth || this.recovering || this.buffer.length === 0) return;
    const waitedMs = performance.now() - this.oldestWaitingSinceMs;
    if (this.buffer.length >= this.options.maxMessages || waitedMs >= this.options.maxDelayMs) {
      if (this.immediate === undefined) this.immediate = setImmediate(() => this.kick());
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.kick(), this.options.maxDelayMs - waitedMs);
    }
  }

  /** Starts one commit of what is waiting, if a pipeline slot is free. */
  private kick(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.inFlight >= this.pipelineDepth || this.recovering || this.buffer.length === 0) return;
    void this.commitNext();
    this.schedule(); // a second slot applies the size/time rule to what keeps arriving
  }

  private async commitNext(): Promise<void> {
    const batch = this.buffer.splice(0, this.options.maxBatchMessages);
    if (this.buffer.length > 0) this.oldestWaitingSinceMs = performance.now();
    this.inFlight += 1;
    this.committing += batch.length;
    const items = new Array<AppendItem>(batch.length);
    for (let i = 0; i < batch.length; i += 1) items[i] = batch[i].item;
    try {
      await this.breaker.execute(() => this.store.appendBatch(items));
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      if (this.recovering) {
        // In flight behind the failure that started this recovery: the store refused it too. What was
        // sequenced since that failure got seqs after the last committed one, so nothing else is undone.
        this.settle(batch.length);
        for (const p of batch) p.waiter.failed(reason);
        return;
      }
      // No new commit until every batch in flight now has settled (the store fails them too).
      this.recovering = true;
      this.epoch += 1; // adds of messages sequenced before the failure are refused from now on …
      const failed = [...batch, ...this.buffer.splice(0)];
      this.settle(batch.length);
      await this.sequences.invalidate().catch(() => undefined);
      this.epoch += 1; // … and so are those sequenced while the allocator was being invalidated
      failed.push(...this.buffer.splice(0));
      for (const p of failed) p.waiter.failed(reason);
      this.endRecoveryWhenSettled();
      return;
    }
    this.metrics.counters.storageTransactions += 1;
    this.metrics.writeBatchSize.observe(batch.length);
    this.settle(batch.length);
    // Pipelining: what arrived during this commit goes out at once (it waited a whole transaction),
    // before this batch's ACKs and fan-out run, so the writer commits while the event loop sends.
    if (this.buffer.length > 0) this.kick();
    else this.schedule();
    for (const p of batch) p.waiter.committed();
  }

  private settle(messages: number): void {
    this.inFlight -= 1;
    this.committing -= messages;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private endRecoveryWhenSettled(): void {
    if (this.inFlight > 0) {
      this.idleWaiters.push(() => this.endRecoveryWhenSettled());
      return;
    }
    this.recovering = false;
    this.schedule();
  }

  /** Commits everything buffered (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.buffer.length > 0 || this.inFlight > 0) {
      if (this.inFlight === 0) {
        if (this.recovering) this.endRecoveryWhenSettled();
        this.kick();
      }
      if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      else if (this.buffer.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
