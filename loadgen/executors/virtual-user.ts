/**
 * One virtual user: one WebSocket that it opens, authenticates, keeps alive with heartbeats, sends
 * over, acknowledges deliveries on, and reopens with exponential backoff (full jitter) when dropped.
 *
 * Coordinated omission: a message carries its *intended* send time from the open-model schedule in
 * `clientTs`, and every latency is measured from that time. If the generator stalls, the socket is
 * reconnecting or the conversation is not ready yet, the wait shows up as latency instead of
 * silently delaying the schedule.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { DeliveryChecker } from '../metrics/checker.js';
import type { LatencyHistogram } from '../metrics/latency-histogram.js';
import type { TimeSeries } from '../metrics/time-series.js';
import type { OutboundMessage, PlannedConversation, ProtocolAdapter } from '../protocol/adapter.js';
import { nowMs } from './clock.js';

export interface VuCounters {
  connectAttempts: number;
  connectErrors: number;
  reconnects: number;
  sent: number;
  resent: number;
  acked: number;
  ackDuplicates: number;
  sendErrors: number;
  retries: number;
  deliveries: number;
  errorsByCode: Record<string, number>;
  closesByCode: Record<string, number>;
}

export interface VuContext {
  adapter: ProtocolAdapter;
  checker: DeliveryChecker;
  histograms: {
    connect: LatencyHistogram;
    ack: LatencyHistogram;
    delivery: LatencyHistogram;
    inbox: LatencyHistogram;
  };
  series: TimeSeries;
  counters: VuCounters;
  receipts: boolean;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  /** Conversations known to exist on the server (groups are created by their first member online). */
  createdConversations: Set<string>;
  onConversationCreated(conversationId: string): void;
  nextConnectionId(): number;
  random(): number;
  /**
   * While the runner emits one tick's due messages it sets this to an empty list: each user's first
   * send of the tick corks its TCP socket and joins the list, and the runner uncorks them all at the end
   * of the tick, so a user with several messages due in one tick writes them in one system call
   * (the frames, their order and their clientTs are unchanged). Null outside the emit loop.
   */
  sendBatch: VirtualUser[] | null;
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

export interface InFlight {
  message: OutboundMessage;
  /** Connection it was last sent on: after a reconnect, un-ACKed messages are resent (same key). */
  connectionId: number;
  retryTimer?: NodeJS.Timeout;
}

export class VirtualUser {
  socket: WebSocket | null = null;
  /** True after the hello frame: the connection is usable. */
  ready = false;
  desiredOnline = false;
  heartbeatMs = 15_000;
  lastPingMs = 0;
  private connectionId = 0;
  private connectStartedMs = 0;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private droppedUnplanned = false;
  /** The current socket is being closed on purpose (planned offline), not dropped. */
  private closingByUs = false;
  private syncRequest: string | null = null;
  /** TCP socket under `socket` (from the upgrade response), to cork for a tick's batch of sends. */
  private tcp: Socket | null = null;
  private corked: Socket | null = null;
  private readonly queue: OutboundMessage[] = [];
  readonly inFlight = new Map<string, InFlight>();
  private readonly lastSeq = new Map<string, number>();
  /** Highest delivered seq per conversation not yet acknowledged by a receipt (one receipt covers all earlier seqs). */
  private readonly unreceipted = new Map<string, number>();

  constructor(
    readonly userId: string,
    readonly conversation: PlannedConversation,
    private readonly context: VuContext,
    /** ws:// URL this user connects to (one of the run's targets). */
    private readonly target: string,
    private readonly localAddress: string | undefined,
    private readonly heartbeatOverrideMs: number | null,
  ) {}

  get pendingCount(): number {
    return this.queue.length + this.inFlight.size;
  }

  setOnline(online: boolean): void {
    if (online === this.desiredOnline) return;
    this.desiredOnline = online;
    if (online) {
      this.failures = 0;
      if (!this.socket && !this.reconnectTimer) this.connect();
    } else {
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.flushReceipts();
      if (this.socket) this.closingByUs = true;
      this.socket?.close(1000, 'planned');
    }
  }

  /** Queues a message stamped with its intended time; sends at once when the connection is usable. */
  enqueue(message: OutboundMessage): void {
    if (this.canSend()) this.transmit(message, false);
    else this.queue.push(message);
  }

  ping(now: number): void {
    if (!this.ready || !this.socket) return;
    const frame = this.context.adapter.encodePing(now);
    if (frame) this.socket.send(frame);
    else this.socket.ping();
    this.lastPingMs = now;
  }

  /**
   * Sends one `delivered` receipt per conversation for the highest seq received since the last flush
   * (called every receipt interval, like a real client batching its acknowledgements).
   */
  flushReceipts(): void {
    if (this.unreceipted.size === 0 || !this.ready || !this.socket) return;
    for (const [conversationId, seq] of this.unreceipted) {
      const frame = this.context.adapter.encodeReceipt(conversationId, seq);
      if (frame) this.socket.send(frame);
    }
    this.unreceipted.clear();
  }

  /** Called when the group this user belongs to has been created by someone. */
  flush(): void {
    if (!this.canSend()) return;
    for (const entry of this.inFlight.values()) {
      if (entry.connectionId === this.connectionId) continue;
      entry.connectionId = this.connectionId;
      this.transmit(entry.message, true);
    }
    while (this.queue.length > 0) this.transmit(this.queue.shift() as OutboundMessage, false);
  }

  close(): void {
    this.desiredOnline = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    for (const entry of this.inFlight.values()) if (entry.retryTimer) clearTimeout(entry.retryTimer);
    this.socket?.terminate();
  }

  private canSend(): boolean {
    return (
      this.ready &&
      this.socket !== null &&
      this.context.createdConversations.has(this.conversation.conversationId)
    );
  }

  private connect(): void {
    const { adapter, counters } = this.context;
    const request = adapter.connect(this.target, { userId: this.userId, deviceId: 'd1' }, nowMs());
    this.connectStartedMs = nowMs();
    counters.connectAttempts += 1;
    this.connectionId = this.context.nextConnectionId();
    this.closingByUs = false;
    const socket = new WebSocket(request.url, {
      headers: request.headers,
      localAddress: this.localAddress,
      perMessageDeflate: false,
      // 30 s, not 10: under a connection storm an abandoned handshake is retried, and the retries keep
      // an overloaded server overloaded (seen here ramping 100,000 users into a local cluster).
      handshakeTimeout: 30_000,
      // Generator CPU is the scarce resource: an all-zero masking key lets ws skip the XOR over every
      // outgoing payload (and the copy of the string into a Buffer). The mask only protects
      // intermediaries from cache poisoning by untrusted browser scripts; a load generator talking to the
      // server under test needs no protection from itself. Incoming text frames are still checked for
      // valid UTF-8 (RFC 6455 §8.1): a server that sends invalid text is failed, not silently repaired;
      // ws does it natively (buffer.isUtf8): 0.6% of the generator's busy CPU at 45,000 messages/s.
      generateMask: zeroMask,
    });
    this.socket = socket;
    this.tcp = null;
    socket.once('upgrade', (response) => {
      if (this.socket === socket) this.tcp = response.socket as Socket;
    });
    // Frames are attributed to the socket they arrived on: a closing old socket may still deliver.
    const connectionId = this.connectionId;
    socket.on('message', (data) => this.onFrame(String(data), connectionId));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The close event that follows does the accounting; keep the reason visible.
      if (!this.ready && this.desiredOnline) {
        const reason = `connect:${error.code ?? error.message.slice(0, 60)}`;
        counters.errorsByCode[reason] = (counters.errorsByCode[reason] ?? 0) + 1;
      }
    });
    socket.on('close', (code) => this.onClose(socket, code));
  }

  private onClose(socket: WebSocket, code: number): void {
    if (this.socket !== socket) return;
    const { counters, series } = this.context;
    counters.closesByCode[code] = (counters.closesByCode[code] ?? 0) + 1;
    // A connect attempt we abandoned on purpose (the user's plan went offline) is not an error.
    if (!this.ready && this.desiredOnline && !this.closingByUs) {
      counters.connectErrors += 1;
      series.add('connectErrors', nowMs());
    }
    const wasReady = this.ready;
    this.ready = false;
    this.socket = null;
    this.tcp = null;
    if (wasReady) series.add('disconnects', nowMs());
    if (!this.desiredOnline) return;
    if (this.closingByUs) {
      // Planned close, then the plan came back online before it finished: just reconnect.
      this.closingByUs = false;
      this.connect();
      return;
    }
    // Unplanned: reconnect with exponential backoff and full jitter, then ask for the gap.
    this.droppedUnplanned = true;
    counters.reconnects += 1;
    const ceiling = Math.min(
      this.context.reconnectMaxMs,
      this.context.reconnectInitialMs * 2 ** this.failures,
    );
    this.failures += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.desiredOnline && !this.socket) this.connect();
    }, this.context.random() * ceiling);
  }

  private onFrame(text: string, connectionId: number): void {
    const { adapter, counters, histograms, checker, series } = this.context;
    const event = adapter.decode(text);
    const now = nowMs();
    switch (event.type) {
      case 'hello': {
        this.ready = true;
        this.failures = 0;
        histograms.connect.recordMs(now - this.connectStartedMs);
        series.add('connects', now);
        // PROTOCOL.md: a ping at least every heartbeatMs (the server closes after 2×). 0.9× leaves room
        // for the 50 ms control loop; pinging more often only adds load at 100,000 users.
        this.heartbeatMs = this.heartbeatOverrideMs ?? Math.max(1000, (event.heartbeatMs ?? 30_000) * 0.9);
        this.lastPingMs = now;
        const { conversation } = this;
        if (!this.context.createdConversations.has(conversation.conversationId)) {
          const frame = adapter.encodeGroupCreate(conversation, `create-${conversation.conversationId}`);
          if (conversation.kind === 'group' && frame) this.socket?.send(frame);
          else this.context.onConversationCreated(conversation.conversationId);
        }
        if (this.droppedUnplanned && this.lastSeq.size > 0) {
          this.syncRequest = `sync-${this.connectionId}`;
          const frame = adapter.encodeSync(Object.fromEntries(this.lastSeq), this.syncRequest);
          if (frame) this.socket?.send(frame);
          else this.syncRequest = null;
        }
        this.droppedUnplanned = false;
        this.flush();
        return;
      }
      case 'group.created':
        this.context.onConversationCreated(event.conversationId);
        return;
      case 'ack': {
        const entry = this.inFlight.get(event.idempotencyKey);
        if (!entry) {
          counters.ackDuplicates += 1;
          return;
        }
        this.inFlight.delete(event.idempotencyKey);
        if (entry.retryTimer) clearTimeout(entry.retryTimer);
        counters.acked += 1;
        series.add('acked', now);
        histograms.ack.recordMs(now - entry.message.clientTs);
        checker.acked(event.conversationId, event.seq, this.userId);
        return;
      }
      case 'deliver': {
        counters.deliveries += 1;
        const verdict = checker.delivered(
          this.userId,
          event.conversationId,
          event.seq,
          connectionId,
          event.redelivery,
          this.syncRequest !== null,
        );
        if (verdict === 'first') {
          series.add('delivered', now);
          // Live deliveries measure the online path (the SLO's "delivery to an online recipient");
          // inbox replays include the time the recipient was away, so they get their own histogram.
          if (event.clientTs !== undefined)
            (event.redelivery ? histograms.inbox : histograms.delivery).recordMs(now - event.clientTs);
        }
        if (event.seq > (this.lastSeq.get(event.conversationId) ?? 0))
          this.lastSeq.set(event.conversationId, event.seq);
        if (this.context.receipts && event.seq > (this.unreceipted.get(event.conversationId) ?? 0)) {
          this.unreceipted.set(event.conversationId, event.seq);
        }
        return;
      }
      case 'sync.done':
        this.syncRequest = null;
        return;
      case 'error': {
        counters.errorsByCode[event.code] = (counters.errorsByCode[event.code] ?? 0) + 1;
        series.add('errors', now);
        const key = event.idempotencyKey;
        const entry = key !== undefined ? this.inFlight.get(key) : undefined;
        if (!entry || key === undefined) return;
        if (adapter.isRetryable(event.code)) {
          counters.retries += 1;
          entry.retryTimer = setTimeout(() => {
            entry.retryTimer = undefined;
            if (this.inFlight.has(key) && this.canSend()) this.transmit(entry.message, true);
          }, event.retryAfterMs ?? 200);
        } else {
          counters.sendErrors += 1;
          this.inFlight.delete(key);
        }
        return;
      }
      case 'reconnect':
        // The server is shutting down: the close that follows triggers the backoff.
        return;
      default:
        return;
    }
  }

  /** Ends this tick's batch (see VuContext.sendBatch): the corked frames go out in one write. */
  uncork(): void {
    const corked = this.corked;
    this.corked = null;
    corked?.uncork();
  }

  private transmit(message: OutboundMessage, resend: boolean): void {
    const { adapter, counters, series, sendBatch } = this.context;
    if (sendBatch !== null && this.corked === null && this.tcp !== null) {
      this.corked = this.tcp;
      this.corked.cork();
      sendBatch.push(this);
    }
    this.socket?.send(adapter.encodeSend(message));
    if (resend) {
      counters.resent += 1;
      return;
    }
    this.inFlight.set(message.idempotencyKey, { message, connectionId: this.connectionId });
    counters.sent += 1;
    series.add('sent', nowMs());
  }
}
