/**
 * One authenticated WebSocket connection and the local table of them. A connection holds as little as
 * possible (ids, last-seen time, a flag or two) because an idle connection's memory is a capacity
 * figure; timers are global sweeps, never per connection.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { GatewayMetrics } from './metrics.js';
import { encodeTextFrames } from './text-frames.js';

export const CloseCode = {
  replaced: 4000,
  authFailed: 4001,
  idle: 4002,
  tokenExpired: 4003,
  frameTooLarge: 4008,
  slowConsumer: 4009,
  tooManyConnections: 4029,
  shutdown: 1001,
} as const;

/** Live frames queued while the inbox is being replayed, so each conversation stays in seq order. */
interface HeldFrame {
  conversationId: string;
  seq: number;
  text: string;
}

export class Connection {
  lastSeenMs: number;
  /** When the registry entry's TTL was last set (registration or heartbeat refresh). */
  registryRefreshedMs: number;
  closing = false;
  /** Set while the inbox replay runs; live deliver frames wait here. */
  held: HeldFrame[] | undefined;
  /**
   * The seqs the inbox replay sent on this connection, ascending per conversation; undefined when it
   * sent none (the common case, so live delivery pays one property check). A message committed before
   * the inbox was read can still reach this connection live afterwards (its fan-out, a cross-instance
   * envelope or a dead-letter replay ran late); PROTOCOL §5 promises no second copy on one connection.
   * Exact seqs, not a high-water mark: a lower seq committed later (another batch or instance) must
   * still be delivered live.
   */
  replayed: Map<string, number[]> | undefined;
  /** Text frames queued this turn of the event loop, written together (ConnectionTable.send). */
  outbox: string[] | undefined;

  constructor(
    readonly ws: WebSocket & { capsimConnection?: Connection },
    readonly userId: string,
    readonly deviceId: string,
    nowMs: number,
  ) {
    this.lastSeenMs = nowMs;
    this.registryRefreshedMs = nowMs;
  }
}

/** True when the inbox replay already sent (conversationId, seq) on this connection. */
export function wasReplayed(connection: Connection, conversationId: string, seq: number): boolean {
  const seqs = connection.replayed?.get(conversationId);
  if (seqs === undefined) return false;
  let low = 0;
  let high = seqs.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = seqs[middle];
    if (value === seq) return true;
    if (value < seq) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

export class ConnectionTable {
  private readonly byUser = new Map<string, Map<string, Connection>>();
  size = 0;

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly maxBufferedBytes: number,
  ) {}

  get(userId: string, deviceId: string): Connection | undefined {
    return this.byUser.get(userId)?.get(deviceId);
  }

  devices(userId: string): Map<string, Connection> | undefined {
    return this.byUser.get(userId);
  }

  /** Adds a connection; returns the one it replaces (same user and device), if any. */
  add(connection: Connection): Connection | undefined {
    let devices = this.byUser.get(connection.userId);
    if (devices === undefined) {
      devices = new Map();
      this.byUser.set(connection.userId, devices);
    }
    const previous = devices.get(connection.deviceId);
    devices.set(connection.deviceId, connection);
    if (previous === undefined) this.size += 1;
    return previous;
  }

  /** Removes the connection if it is still the registered one for its device; true when removed. */
  remove(connection: Connection): boolean {
    const devices = this.byUser.get(connection.userId);
    if (devices?.get(connection.deviceId) !== connection) return false;
    devices.delete(connection.deviceId);
    if (devices.size === 0) this.byUser.delete(connection.userId);
    this.size -= 1;
    return true;
  }

  *all(): IterableIterator<Connection> {
    for (const devices of this.byUser.values()) yield* devices.values();
  }

  /**
   * Queues a text frame unless the socket is a slow consumer: one that still has more than
   * `maxBufferedBytes` unsent from earlier turns of the event loop. Such a socket is closed with 4009
   * instead of letting its buffer grow memory without bound. Frames queued during the current turn
   * (a burst of ACKs after one group commit) are not counted against it: they leave together, in one
   * write, once this turn's callbacks and promise continuations are done (text-frames.ts), so the
   * buffer is at most the cap plus one turn's burst. Returns false when not queued.
   */
  send(connection: Connection, text: string): boolean {
    if (connection.closing) return false;
    const ws = connection.ws;
    if (ws.readyState !== 1) return false;
    let outbox = connection.outbox;
    if (outbox === undefined) {
      if (ws.bufferedAmount > this.maxBufferedBytes) {
        this.metrics.counters.slowConsumers += 1;
        this.close(
          connection,
          CloseCode.slowConsumer,
          'slow consumer: outbound buffer over maxBufferedBytes',
        );
        return false;
      }
      outbox = connection.outbox = [];
      this.withOutbox.push(connection);
      if (this.withOutbox.length === 1) process.nextTick(this.flushAll);
    }
    outbox.push(text);
    this.metrics.counters.framesOut += 1;
    return true;
  }

  private readonly withOutbox: Connection[] = [];
  private readonly flushAll = (): void => {
    const connections = this.withOutbox.splice(0);
    for (const connection of connections) flush(connection);
  };

  /** Closes with a code; sockets that do not finish the closing handshake are destroyed after 10 s. */
  close(connection: Connection, code: number, reason: string): void {
    if (connection.closing) return;
    flush(connection); // this turn's frames go before the close frame
    connection.closing = true;
    connection.ws.close(code, reason);
    setTimeout(() => connection.ws.terminate(), 10_000).unref();
  }
}

/**
 * Writes a connection's queued frames as one buffer straight to its socket (`ws` has no batch send;
 * its socket is `_socket`). Whole frames only, so they interleave safely with the control frames `ws`
 * writes itself (pong, close). Frames of a socket that closed meanwhile are dropped, as `ws.send` would.
 */
function flush(connection: Connection): void {
  const frames = connection.outbox;
  if (frames === undefined) return;
  connection.outbox = undefined;
  const ws = connection.ws;
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (ws.readyState !== 1 || socket === undefined || socket.destroyed) return;
  socket.write(encodeTextFrames(frames));
}
