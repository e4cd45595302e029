/**
 * WebSocket lifecycle: upgrade (auth, per-process cap, per-IP connection rate), hello + inbox replay,
 * frame dispatch, heartbeats/idle timeout, close. Listener functions are shared by all sockets (the
 * connection is found through the socket) so an idle connection costs no closures.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { idPattern, verifyToken } from '../auth/token.js';
import type { StoredMessage } from '../contracts.js';
import { CloseCode, Connection, wasReplayed } from './connection.js';
import type { GatewayContext } from './context.js';
import { deliverFrame } from './delivery.js';
import { parseClientFrame } from './frames.js';
import { errorFrame, handleGroupCreate, handlePresence, handleReceipt, handleSync } from './handlers.js';
import { handleSend } from './send.js';

type TrackedSocket = WebSocket & { capsimConnection?: Connection };

interface Admission {
  ok: boolean;
  closeCode?: number;
  reason?: string;
  userId?: string;
  deviceId?: string;
}

export class SocketGateway {
  readonly wss: WebSocketServer;
  private upgrading = 0;
  private readonly onMessage: (this: TrackedSocket, data: RawData, isBinary: boolean) => void;
  private readonly onClose: (this: TrackedSocket) => void;
  private readonly onPing: (this: TrackedSocket) => void;

  constructor(private readonly ctx: GatewayContext) {
    // ws enforces a hard cap well above maxFrameBytes (close 1009); between the two we answer
    // E_FRAME_TOO_LARGE and close 4008 ourselves, as PROTOCOL.md says.
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: Math.max(65_536, ctx.options.maxFrameBytes * 4),
    });
    const handleFrame = this.handleFrame.bind(this);
    const handleClose = this.handleClose.bind(this);
    this.onMessage = function (data, isBinary) {
      const connection = this.capsimConnection;
      if (connection !== undefined) handleFrame(connection, data, isBinary);
    };
    this.onClose = function () {
      const connection = this.capsimConnection;
      if (connection !== undefined) handleClose(connection);
    };
    this.onPing = function () {
      const connection = this.capsimConnection;
      if (connection !== undefined) connection.lastSeenMs = ctx.clock.nowMs();
    };
  }

  /** node:http 'upgrade' handler. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/v1/ws' || this.ctx.shuttingDown) {
      socket.end(
        `HTTP/1.1 ${this.ctx.shuttingDown ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    // A shared listener, not a closure: a closure here would share this function's context and keep
    // the request, URL and head buffer alive for the connection's lifetime (KiBs per idle connection).
    socket.on('error', destroySocket);
    this.upgrading += 1;
    void this.admit(request, url)
      .catch((): Admission => ({ ok: false, closeCode: 1011, reason: 'internal error' }))
      .then((admission) => {
        // Decrement before handing over: ws aborts a malformed handshake without calling back.
        this.upgrading -= 1;
        this.wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off('error', destroySocket); // ws handles socket errors from here on
          if (!admission.ok || this.ctx.shuttingDown) {
            ws.close(admission.closeCode ?? CloseCode.shutdown, admission.reason ?? 'server shutting down');
            return;
          }
          this.open(ws as TrackedSocket, admission.userId as string, admission.deviceId as string);
        });
      });
  }

  private async admit(request: IncomingMessage, url: URL): Promise<Admission> {
    const { ctx } = this;
    const nowMs = ctx.clock.nowMs();
    if (ctx.connections.size + this.upgrading > ctx.options.maxConnections) {
      ctx.metrics.counters.rejectedConnections += 1;
      return {
        ok: false,
        closeCode: CloseCode.tooManyConnections,
        reason: 'too many connections on this process',
      };
    }
    const ip = request.socket.remoteAddress ?? 'unknown';
    const rate = await ctx.rateLimiter
      .consume(`connect:${ip}`, ctx.options.connectRateLimit, ctx.options.connectRateWindowMs, nowMs)
      .catch(() => ({ allowed: true, retryAfterMs: 0 }));
    if (!rate.allowed) {
      ctx.metrics.counters.rateLimitedConnections += 1;
      return {
        ok: false,
        closeCode: CloseCode.tooManyConnections,
        reason: `connection rate from ${ip} exceeded`,
      };
    }
    const header = request.headers.authorization;
    const token =
      url.searchParams.get('token') ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
    if (token === undefined) return { ok: false, closeCode: CloseCode.authFailed, reason: 'no token' };
    const check = verifyToken(token, ctx.options.tokenSecret, nowMs);
    if (!check.ok) {
      return check.reason === 'expired'
        ? { ok: false, closeCode: CloseCode.tokenExpired, reason: 'token expired' }
        : { ok: false, closeCode: CloseCode.authFailed, reason: `authentication failed (${check.reason})` };
    }
    const deviceId = url.searchParams.get('deviceId') ?? check.payload.dev ?? 'default';
    if (!idPattern.test(deviceId))
      return { ok: false, closeCode: CloseCode.authFailed, reason: 'malformed deviceId' };
    return { ok: true, userId: check.payload.sub, deviceId };
  }

  private open(ws: TrackedSocket, userId: string, deviceId: string): void {
    const { ctx } = this;
    const nowMs = ctx.clock.nowMs();
    const connection = new Connection(ws, userId, deviceId, nowMs);
    ws.capsimConnection = connection;
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    ws.on('ping', this.onPing);
    ws.on('error', noop);
    connection.held = [];
    const previous = ctx.connections.add(connection);
    if (previous !== undefined) {
      previous.ws.capsimConnection = undefined;
      ctx.connections.close(previous, CloseCode.replaced, 'replaced by a newer connection of this device');
    }
    ctx.connections.send(
      connection,
      JSON.stringify({
        type: 'hello',
        protocol: 1,
        userId,
        deviceId,
        serverId: ctx.options.serverId,
        serverTs: nowMs,
        heartbeatMs: ctx.options.heartbeatMs,
      }),
    );
    void this.register(connection).then(() => this.replayInbox(connection));
  }

  /** Registers the device and tells another instance holding the same device to close it (4000). */
  private async register(connection: Connection): Promise<void> {
    const { ctx } = this;
    const nowMs = ctx.clock.nowMs();
    const ref = { userId: connection.userId, deviceId: connection.deviceId };
    try {
      const existing = await ctx.busBreaker.execute(() => ctx.registry.lookup([connection.userId], nowMs));
      for (const device of existing.get(connection.userId)?.devices ?? []) {
        if (device.deviceId === connection.deviceId && device.instanceId !== ctx.instanceId) {
          // Retried but never dead-lettered: if that instance is gone, so is the connection to close.
          // (A parked 'replace' used to be replayed as a text frame: its empty `frame` reached clients.)
          const envelope = { kind: 'replace' as const, targets: [ref], frame: '' };
          void ctx.delivery.publishWithRetry(device.instanceId, envelope, { deadLetter: false });
        }
      }
      await ctx.busBreaker.execute(() =>
        ctx.registry.register({ ...ref, instanceId: ctx.instanceId }, nowMs, 2 * ctx.options.heartbeatMs),
      );
    } catch {
      // Registry down (degraded): local delivery still works; remote senders fall back to the inbox.
    }
  }

  /**
   * Sends the durable inbox in (conversation, seq) order, then the live frames held meanwhile, skipping
   * held frames the inbox already covered. The replayed seqs stay on the connection so a late live copy
   * (fan-out, cross-instance envelope or dead-letter replay of a message that was already in the inbox)
   * is not sent a second time.
   */
  private async replayInbox(connection: Connection): Promise<void> {
    const { ctx } = this;
    const replayed = new Map<string, number[]>();
    try {
      let cursor: { conversationId: string; seq: number } | null = null;
      while (!connection.closing) {
        const page: StoredMessage[] = await ctx.storeBreaker.execute(() =>
          ctx.store.readInbox(connection.userId, cursor, 500),
        );
        for (const message of page) {
          if (message.senderId === connection.userId && message.senderDeviceId === connection.deviceId)
            continue;
          if (!ctx.connections.send(connection, deliverFrame(message, true))) continue;
          ctx.metrics.counters.messagesDelivered += 1;
          let seqs = replayed.get(message.conversationId);
          if (seqs === undefined) replayed.set(message.conversationId, (seqs = []));
          seqs.push(message.seq); // ascending: the inbox is read in (conversation, seq) order
        }
        if (page.length < 500) break;
        const last = page[page.length - 1];
        cursor = { conversationId: last.conversationId, seq: last.seq };
      }
    } catch {
      // Storage unavailable: the inbox stays and is replayed on the next connection.
    }
    if (replayed.size > 0) connection.replayed = replayed;
    const held = connection.held ?? [];
    connection.held = undefined;
    const heldSent = new Set<string>(); // a message can be held twice (live fan-out + DLQ replay)
    for (const frame of held) {
      if (wasReplayed(connection, frame.conversationId, frame.seq)) continue;
      const id = `${frame.conversationId}#${frame.seq}`;
      if (heldSent.has(id)) continue;
      heldSent.add(id);
      if (ctx.connections.send(connection, frame.text)) ctx.metrics.counters.messagesDelivered += 1;
    }
  }

  private handleFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    const { ctx } = this;
    ctx.metrics.counters.framesIn += 1;
    connection.lastSeenMs = ctx.clock.nowMs();
    if (connection.closing) return;
    // ws hands text frames over as one Buffer (binaryType 'nodebuffer'); no copy on the hot path.
    const buffer = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    if (buffer.length > ctx.options.maxFrameBytes) {
      ctx.connections.send(
        connection,
        errorFrame('E_FRAME_TOO_LARGE', `frame over ${ctx.options.maxFrameBytes} bytes`),
      );
      ctx.connections.close(connection, CloseCode.frameTooLarge, 'frame too large');
      return;
    }
    if (isBinary) {
      ctx.connections.send(connection, errorFrame('E_BAD_FRAME', 'frames must be UTF-8 JSON text'));
      return;
    }
    const parsed = parseClientFrame(buffer.toString('utf8'), ctx.options.maxBodyBytes);
    if (!parsed.ok) {
      const { code, message, ...extra } = parsed.error;
      ctx.connections.send(connection, errorFrame(code, message, extra));
      return;
    }
    const frame = parsed.frame;
    let work: Promise<void> | undefined;
    switch (frame.type) {
      case 'send':
        work = handleSend(ctx, connection, frame);
        break;
      case 'ping':
        ctx.connections.send(
          connection,
          JSON.stringify({ type: 'pong', ts: frame.ts, serverTs: ctx.clock.nowMs() }),
        );
        break;
      case 'receipt':
        work = handleReceipt(ctx, connection, frame);
        break;
      case 'sync':
        work = handleSync(ctx, connection, frame);
        break;
      case 'group.create':
        work = handleGroupCreate(ctx, connection, frame);
        break;
      case 'presence.query':
        work = handlePresence(ctx, connection, frame);
        break;
    }
    work?.catch(() => ctx.connections.send(connection, errorFrame('E_INTERNAL', 'unexpected server error')));
  }

  private handleClose(connection: Connection): void {
    const { ctx } = this;
    connection.closing = true;
    if (!ctx.connections.remove(connection)) return;
    const location = { userId: connection.userId, deviceId: connection.deviceId, instanceId: ctx.instanceId };
    void ctx.busBreaker.execute(() => ctx.registry.unregister(location, ctx.clock.nowMs())).catch(noop);
  }

  /**
   * Periodic sweep (every heartbeatMs / 2): closes connections silent for 2 × heartbeatMs (4002) and
   * refreshes the registry TTL (2 × heartbeatMs) of connections last refreshed ≥ heartbeatMs ago, so
   * each entry is refreshed about once per heartbeat, never less than once per half TTL. The refresh
   * goes out in chunks of 1,000 devices with a turn of the event loop between them: one pipeline for
   * an instance's 17,000 connections stalled handshakes for a few hundred ms every sweep.
   */
  async heartbeatSweep(): Promise<void> {
    const { ctx } = this;
    const nowMs = ctx.clock.nowMs();
    const idleAfterMs = 2 * ctx.options.heartbeatMs;
    const due: Connection[] = [];
    for (const connection of ctx.connections.all()) {
      if (connection.closing) continue;
      if (nowMs - connection.lastSeenMs > idleAfterMs) {
        ctx.connections.close(connection, CloseCode.idle, 'idle timeout');
      } else if (nowMs - connection.registryRefreshedMs >= ctx.options.heartbeatMs) due.push(connection);
    }
    for (let from = 0; from < due.length; from += refreshChunk) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      const chunk = due.slice(from, from + refreshChunk);
      const devices = chunk.map((c) => ({ userId: c.userId, deviceId: c.deviceId }));
      const refreshed = await ctx.busBreaker
        .execute(() => ctx.registry.refresh(ctx.instanceId, devices, nowMs, idleAfterMs))
        .then(() => true, noop);
      if (refreshed) for (const connection of chunk) connection.registryRefreshedMs = nowMs;
    }
  }
}

/** Devices per registry refresh pipeline in the heartbeat sweep. */
const refreshChunk = 1_000;

function noop(): void {}

function destroySocket(this: Duplex): void {
  this.destroy();
}
