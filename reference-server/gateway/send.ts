/**
 * The pipeline of a `send` (PROTOCOL.md §4): validate membership → rate-limit → idempotency → sequence
 * → write buffer → ACK after commit → fan-out.
 *
 * Each step has a synchronous fast path when its adapter offers one (the embedded, in-process adapters
 * do), and the wait for the group commit is a callback on a `PendingSend`, not a promise: in embedded
 * mode a send then costs one promise (this async function's own) instead of seven, and no suspended
 * frame. That was most of the gateway's per-message CPU and garbage under load.
 */
import type { IdempotencyRecord, StoredMessage } from '../contracts.js';
import type { Connection } from './connection.js';
import type { GatewayContext } from './context.js';
import type { ErrorCode, SendFrame } from './frames.js';
import { errorFrame } from './handlers.js';
import { ConversationError, knownMembers, loadGroupMembers } from './members.js';
import type { CommitWaiter } from './write-buffer.js';

/**
 * The ACK frame. Ids match `[A-Za-z0-9_.:#-]` (auth/token.ts idPattern, frames.ts conversation ids), so
 * only the client's idempotency key needs JSON escaping; a template is ~3× cheaper than JSON.stringify
 * of an object, on a frame sent for every message.
 */
export function ackFrame(
  idempotencyKey: string,
  conversationId: string,
  seq: number,
  serverTs: number,
  duplicate: boolean,
): string {
  return `{"type":"ack","idempotencyKey":${JSON.stringify(idempotencyKey)},"conversationId":"${conversationId}","seq":${seq},"messageId":"${conversationId}#${seq}","serverTs":${serverTs},"duplicate":${duplicate}}`;
}

function duplicateAck(record: IdempotencyRecord): string {
  return ackFrame(record.idempotencyKey, record.conversationId, record.seq, record.serverTs, true);
}

function sendError(
  ctx: GatewayContext,
  conn: Connection,
  key: string,
  code: ErrorCode,
  message: string,
  retryAfterMs?: number,
): void {
  ctx.connections.send(
    conn,
    errorFrame(code, message, { idempotencyKey: key, ...(retryAfterMs ? { retryAfterMs } : {}) }),
  );
}

const unavailable = 'storage unavailable; the message was not accepted; retry with the same idempotencyKey';

/**
 * A send from its idempotency check to its commit. Copies of the same key that arrive meanwhile (a
 * client retrying before the ACK) wait here and get the same answer, marked duplicate.
 */
class PendingSend implements CommitWaiter {
  message: StoredMessage | undefined;
  members: readonly string[] = [];
  private copies: Connection[] | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly conn: Connection,
    private readonly key: string,
    private readonly pendingKey: string,
    private readonly receivedAtMs: number,
  ) {}

  addCopy(conn: Connection): void {
    (this.copies ??= []).push(conn);
  }

  /** The key was already stored: the original answer, to this send and its copies. */
  known(record: IdempotencyRecord): void {
    this.ctx.inFlight.delete(this.pendingKey);
    const text = duplicateAck(record);
    this.ctx.connections.send(this.conn, text);
    for (const copy of this.copies ?? []) this.ctx.connections.send(copy, text);
  }

  committed(): void {
    const { ctx, conn } = this;
    const message = this.message as StoredMessage;
    ctx.inFlight.delete(this.pendingKey);
    ctx.metrics.counters.messagesAccepted += 1;
    const { conversationId, seq, serverTs } = message;
    ctx.connections.send(conn, ackFrame(this.key, conversationId, seq, serverTs, false));
    ctx.metrics.ackLatency.observe((performance.now() - this.receivedAtMs) / 1000);
    if (this.copies !== undefined) {
      const text = ackFrame(this.key, conversationId, seq, serverTs, true);
      for (const copy of this.copies) ctx.connections.send(copy, text);
    }
    // Never rejects: remote trouble degrades to the inbox (delivery.ts).
    void ctx.delivery.fanOut(message, this.members, this.receivedAtMs);
  }

  failed(): void {
    this.ctx.inFlight.delete(this.pendingKey);
    sendError(this.ctx, this.conn, this.key, 'E_UNAVAILABLE', unavailable);
    for (const copy of this.copies ?? []) sendError(this.ctx, copy, this.key, 'E_UNAVAILABLE', unavailable);
  }
}

export async function handleSend(ctx: GatewayContext, conn: Connection, frame: SendFrame): Promise<void> {
  const receivedAtMs = performance.now();
  const key = frame.idempotencyKey;
  if (ctx.shuttingDown)
    return sendError(ctx, conn, key, 'E_UNAVAILABLE', 'server is shutting down; reconnect and retry');

  let members: readonly string[] | undefined;
  try {
    members = knownMembers(ctx, frame.conversationId) ?? (await loadGroupMembers(ctx, frame.conversationId));
  } catch (error) {
    if (error instanceof ConversationError) return sendError(ctx, conn, key, error.code, error.message);
    return sendError(
      ctx,
      conn,
      key,
      'E_UNAVAILABLE',
      'storage unavailable; retry with the same idempotencyKey',
    );
  }
  if (!members.includes(conn.userId)) {
    return sendError(
      ctx,
      conn,
      key,
      'E_NOT_MEMBER',
      `${conn.userId} is not a member of ${frame.conversationId}`,
    );
  }

  const nowMs = ctx.clock.nowMs();
  const { sendRateLimit, sendRateWindowMs } = ctx.options;
  const limiter = ctx.rateLimiter;
  const rateKey = `send:${conn.userId}`;
  const decision =
    limiter.consumeSync !== undefined
      ? limiter.consumeSync(rateKey, sendRateLimit, sendRateWindowMs, nowMs)
      : await limiter
          .consume(rateKey, sendRateLimit, sendRateWindowMs, nowMs)
          .catch(() => ({ allowed: true, retryAfterMs: 0 })); // limiter down: fail open (availability first)
  if (!decision.allowed) {
    ctx.metrics.counters.rateLimitedSends += 1;
    const message = `over ${sendRateLimit} messages per ${sendRateWindowMs / 1000} s`;
    return sendError(ctx, conn, key, 'E_RATE_LIMITED', message, decision.retryAfterMs);
  }

  // Idempotency: a send still on its way to the store, then the store (keys live 24 h).
  const pendingKey = `${conn.userId}\u0000${key}`;
  const inFlight = ctx.inFlight.get(pendingKey);
  if (inFlight !== undefined) return inFlight.addCopy(conn);
  if (!ctx.writeBuffer.tryReserve()) {
    ctx.metrics.counters.overloaded += 1;
    const message = 'write buffer full; retry later with the same idempotencyKey';
    return sendError(ctx, conn, key, 'E_OVERLOADED', message, 100);
  }
  const pending = new PendingSend(ctx, conn, key, pendingKey, receivedAtMs);
  ctx.inFlight.set(pendingKey, pending);
  let reserved = true;
  try {
    const lookup = findIdempotent(ctx, conn.userId, key);
    const known = lookup instanceof Promise ? await lookup : lookup; // no microtask on the sync path
    if (known !== undefined) {
      ctx.writeBuffer.release();
      reserved = false;
      return pending.known(known);
    }
    const epoch = ctx.writeBuffer.epoch;
    const seq =
      ctx.sequences.allocateSync?.(frame.conversationId, 1) ??
      (await ctx.sequences.allocate(frame.conversationId, 1));
    const message: StoredMessage = {
      conversationId: frame.conversationId,
      seq,
      messageId: `${frame.conversationId}#${seq}`,
      senderId: conn.userId,
      senderDeviceId: conn.deviceId,
      idempotencyKey: key,
      body: frame.body,
      clientTs: frame.clientTs,
      serverTs: nowMs,
    };
    pending.message = message;
    pending.members = members;
    reserved = false;
    // ACK and fan-out happen in pending.committed(), called by the write buffer after the commit.
    ctx.writeBuffer.add({ message, inboxUserIds: members.filter((m) => m !== conn.userId) }, epoch, pending);
  } catch {
    if (reserved) ctx.writeBuffer.release();
    pending.failed();
  }
}

/**
 * Idempotency lookup: the store's synchronous read while its breaker is closed (embedded SQLite), else
 * the asynchronous one through the breaker (which fails fast while open).
 */
function findIdempotent(
  ctx: GatewayContext,
  senderId: string,
  idempotencyKey: string,
): IdempotencyRecord | undefined | Promise<IdempotencyRecord | undefined> {
  const { store, storeBreaker } = ctx;
  if (store.findIdempotentSync !== undefined && storeBreaker.state === 'closed')
    return store.findIdempotentSync(senderId, idempotencyKey);
  return storeBreaker
    .execute(() => store.findIdempotent([{ senderId, idempotencyKey }]))
    .then(([known]) => known);
}
