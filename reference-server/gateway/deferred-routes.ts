/**
 * Cross-instance routes held back while the connection registry cannot be asked (degraded mode: the
 * registry/pub-sub breaker is open, or Redis does not answer). Without this, a fan-out whose registry
 * lookup failed reached its recipients on other instances only through their inbox, on their next
 * reconnect — an online recipient could wait indefinitely. Here the route waits instead, in order;
 * one flusher retries the oldest with exponential backoff (initialRetryDelayMs, doubling up to
 * maxRetryDelayMs), and once the registry answers, every waiting route goes out in the order it came,
 * each one's publishes (retries included) finished before the next starts: right after an outage
 * the recipient's instance may not have re-subscribed yet, and a retried publish must not be
 * overtaken by the routes behind it.
 * While any route waits, new ones queue behind it, so a conversation's later messages cannot overtake
 * earlier ones on the way to the same device (a lookup already in flight when an earlier one fails can
 * still go first: the one reordering left, and only at the moment the registry comes back).
 *
 * Bounded: beyond `maxDeferred` routes, or older than `maxDeferredAgeMs`, the oldest are dropped
 * (counted in `dropped`); their recipients still get the messages from the durable inbox on
 * reconnect, as before. A route going out late cannot give a connection a second copy: the receiving
 * instance skips what that connection's inbox replay already sent (Delivery.sendDeliver).
 */
import type { BusEnvelope } from '../contracts.js';

export interface DeferredRoutesOptions {
  maxDeferred: number;
  maxDeferredAgeMs: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
}

interface DeferredRoute {
  userIds: readonly string[];
  template: BusEnvelope;
  deferredAtMs: number;
}

/** Tries one route: false when the registry could not be asked (nothing was sent, try again later). */
export type RouteAttempt = (userIds: readonly string[], template: BusEnvelope) => Promise<boolean>;

export class DeferredRoutes {
  /** Routes waiting, oldest first, from index `head` on (a cheap FIFO without Array#shift). */
  private queue: DeferredRoute[] = [];
  private head = 0;
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private closed = false;
  /** Routes dropped because the queue was full or they waited longer than `maxDeferredAgeMs`. */
  dropped = 0;

  constructor(
    private readonly attempt: RouteAttempt,
    private readonly options: DeferredRoutesOptions,
    private readonly nowMs: () => number,
  ) {
    this.retryDelayMs = options.initialRetryDelayMs;
  }

  /** Routes waiting for the registry. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** True while routes wait or are being sent: a new route must queue behind them, not overtake. */
  get busy(): boolean {
    return this.flushing || this.size > 0;
  }

  defer(userIds: readonly string[], template: BusEnvelope): void {
    if (this.closed) return;
    this.queue.push({ userIds, template, deferredAtMs: this.nowMs() });
    while (this.size > this.options.maxDeferred) this.dropOldest();
    if (!this.flushing && this.timer === undefined) this.scheduleFlush();
  }

  /** Stops retrying (graceful shutdown); what still waits is in the recipients' inboxes. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }

  private scheduleFlush(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.retryDelayMs);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      while (this.size > 0 && !this.closed) {
        const cutoffMs = this.nowMs() - this.options.maxDeferredAgeMs;
        while (this.size > 0 && this.queue[this.head].deferredAtMs < cutoffMs) this.dropOldest();
        if (this.size === 0) break;
        const route = this.queue[this.head];
        let sent: boolean;
        try {
          sent = await this.attempt(route.userIds, route.template);
        } catch {
          sent = false;
        }
        if (this.closed) return; // closed while the attempt ran: the queue is already gone
        if (!sent) {
          // Still unreachable: back off (×2 up to the cap) and try the same, oldest route again.
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs);
          this.scheduleFlush();
          return;
        }
        this.removeHead();
        this.retryDelayMs = this.options.initialRetryDelayMs;
      }
    } finally {
      this.flushing = false;
    }
  }

  private dropOldest(): void {
    this.removeHead();
    this.dropped += 1;
  }

  private removeHead(): void {
    this.head += 1;
    // Compact once the consumed prefix dominates, so memory follows what is waiting.
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }
}
