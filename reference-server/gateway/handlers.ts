/**
 * Frame handlers: the pipeline of a `send` (validate → rate-limit → idempotency → sequence → write
 * buffer → ACK after commit → fan-out) and the other client frames of PROTOCOL.md.
 */
import { randomBytes } from 'node:crypto';
import type { IdempotencyRecord, StoredMessage } from '../contracts.js';
import type { Connection } from './connection.js';
import type { GatewayContext } from './context.js';
import { deliverFrame } from './delivery.js';
import {
  parseConversationId,
  type ErrorCode,
  type GroupCreateFrame,
  type PresenceQueryFrame,
  type ReceiptFrame,
  type SendFrame,
  type SyncFrame,
} from './frames.js';

export function errorFrame(
  code: ErrorCode,
  message: string,
  extra: { requestId?: string; idempotencyKey?: string; retryAfterMs?: number } = {},
): string {
  return JSON.stringify({ type: 'error', code, message, ...extra });
}

function ackFrame(record: IdempotencyRecord, duplicate: boolean): string {
  return JSON.stringify({
    type: 'ack',
    idempotencyKey: record.idempotencyKey,
    conversationId: record.conversationId,
    seq: record.seq,
    messageId: record.messageId,
    serverTs: record.serverTs,
    duplicate,
  });
}

export class ConversationError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Members of a conversation. Both kinds are immutable once they exist (a dm's members are in its id;
 * groups cannot change), so they are cached; the cache is cleared wholesale at 100,000 entries.
 */
export async function membersOf(ctx: GatewayContext, conversationId: string): Promise<readonly string[]> {
  return knownMembers(ctx, conversationId) ?? (await loadGroupMembers(ctx, conversationId));
}

/** A group's members from the store (not cached yet), cached for next time. */
async function loadGroupMembers(ctx: GatewayContext, conversationId: string): Promise<readonly string[]> {
  const members = await ctx.storeBreaker.execute(() => ctx.store.groupMembers(conversationId));
  if (members === undefined)
    throw new ConversationError('E_CONVERSATION_NOT_FOUND', `no group "${conversationId}"`);
  cacheMembers(ctx, conversationId, members);
  return members;
}

/**
 * Members known without I/O (cached, or a dm whose id names them); undefined for a group not cached
 * yet. Synchronous, so sends of one connection keep their order whatever path they take.
 */
function knownMembers(ctx: GatewayContext, conversationId: string): readonly string[] | undefined {
  const cached = ctx.membersCache.get(conversationId);
  if (cached !== undefined) return cached;
  const parsed = parseConversationId(conversationId);
  if (parsed === undefined)
    throw new ConversationError('E_BAD_FRAME', `malformed conversationId "${conversationId}"`);
  if (parsed.kind !== 'dm') return undefined;
  cacheMembers(ctx, conversationId, parsed.members);
  return parsed.members;
}

function cacheMembers(ctx: GatewayContext, conversationId: string, members: readonly string[]): void {
  if (ctx.membersCache.size >= 100_000) ctx.membersCache.clear();
  ctx.membersCache.set(conversationId, members);
}

/**
 * A `send` (PROTOCOL.md §4): validate membership → rate-limit → idempotency → sequence → write buffer →
 * ACK after commit → fan-out. Each step has a synchronous fast path when its adapter offers one (the
 * embedded, in-process adapters do), so in embedded mode the only wait is the group commit itself:
 * a send costs one promise instead of six, which is most of the gateway's per-message CPU under load.
 */
export async function handleSend(ctx: GatewayContext, conn: Connection, frame: SendFrame): Promise<void> {
  const receivedAtMs = performance.now();
  const key = frame.idempotencyKey;
  const reject = (code: ErrorCode, message: string, retryAfterMs?: number) =>
    ctx.connections.send(
      conn,
      errorFrame(code, message, { idempotencyKey: key, ...(retryAfterMs ? { retryAfterMs } : {}) }),
    );
  if (ctx.shuttingDown) return void reject('E_UNAVAILABLE', 'server is shutting down; reconnect and retry');

  let members: readonly string[] | undefined;
  try {
    members = knownMembers(ctx, frame.conversationId) ?? (await loadGroupMembers(ctx, frame.conversationId));
  } catch (error) {
    if (error instanceof ConversationError) return void reject(error.code, error.message);
    return void reject('E_UNAVAILABLE', 'storage unavailable; retry with the same idempotencyKey');
  }
  if (!members.includes(conn.userId)) {
    return void reject('E_NOT_MEMBER', `${conn.userId} is not a member of ${frame.conversationId}`);
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
    return void reject(
      'E_RATE_LIMITED',
      `over ${sendRateLimit} messages per ${sendRateWindowMs / 1000} s`,
      decision.retryAfterMs,
    );
  }

  // Idempotency: a send still in the write buffer, then the store (keys live 24 h).
  const pendingKey = `${conn.userId}\u0000${key}`;
  const inFlight = ctx.inFlight.get(pendingKey);
  if (inFlight !== undefined) {
    try {
      ctx.connections.send(conn, ackFrame(await inFlight, true));
    } catch {
      reject('E_UNAVAILABLE', 'storage unavailable; retry with the same idempotencyKey');
    }
    return;
  }
  if (!ctx.writeBuffer.tryReserve()) {
    ctx.metrics.counters.overloaded += 1;
    return void reject('E_OVERLOADED', 'write buffer full; retry later with the same idempotencyKey', 100);
  }
  let reserved = true;
  let resolveAck!: (record: IdempotencyRecord) => void;
  let rejectAck!: (error: Error) => void;
  const ack = new Promise<IdempotencyRecord>((resolve, rejectPromise) => {
    resolveAck = resolve;
    rejectAck = rejectPromise;
  });
  ack.catch(() => undefined);
  ctx.inFlight.set(pendingKey, ack);
  try {
    const lookup = findIdempotent(ctx, conn.userId, key);
    const known = lookup instanceof Promise ? await lookup : lookup; // no microtask on the sync path
    if (known !== undefined) {
      ctx.writeBuffer.release();
      reserved = false;
      resolveAck(known);
      ctx.connections.send(conn, ackFrame(known, true));
      return;
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
    const inboxUserIds = members.filter((m) => m !== conn.userId);
    reserved = false;
    await ctx.writeBuffer.add({ message, inboxUserIds }, epoch);
    const record: IdempotencyRecord = {
      senderId: conn.userId,
      idempotencyKey: key,
      conversationId: message.conversationId,
      seq,
      messageId: message.messageId,
      serverTs: nowMs,
    };
    resolveAck(record);
    ctx.metrics.counters.messagesAccepted += 1;
    ctx.connections.send(conn, ackFrame(record, false));
    ctx.metrics.ackLatency.observe((performance.now() - receivedAtMs) / 1000);
    const fanOut = ctx.delivery.fanOut(message, members, receivedAtMs);
    if (fanOut !== undefined) await fanOut;
  } catch (error) {
    if (reserved) ctx.writeBuffer.release();
    rejectAck(error instanceof Error ? error : new Error(String(error)));
    reject(
      'E_UNAVAILABLE',
      'storage unavailable; the message was not accepted; retry with the same idempotencyKey',
    );
  } finally {
    ctx.inFlight.delete(pendingKey);
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

export async function handleReceipt(
  ctx: GatewayContext,
  conn: Connection,
  frame: ReceiptFrame,
): Promise<void> {
  let members: readonly string[];
  try {
    members = await membersOf(ctx, frame.conversationId);
  } catch (error) {
    const code = error instanceof ConversationError ? error.code : 'E_UNAVAILABLE';
    ctx.connections.send(
      conn,
      errorFrame(code, error instanceof Error ? error.message : 'storage unavailable'),
    );
    return;
  }
  if (!members.includes(conn.userId)) {
    ctx.connections.send(
      conn,
      errorFrame('E_NOT_MEMBER', `${conn.userId} is not a member of ${frame.conversationId}`),
    );
    return;
  }
  const atMs = ctx.clock.nowMs();
  let outcome;
  try {
    // A receipt beyond the last message would mark future messages as already received.
    const last = (await ctx.store.maxSeq([frame.conversationId])).get(frame.conversationId) ?? 0;
    if (frame.seq > last) {
      ctx.connections.send(
        conn,
        errorFrame('E_BAD_FRAME', `receipt seq ${frame.seq} is beyond the last message (${last})`),
      );
      return;
    }
    outcome = await ctx.storeBreaker.execute(() =>
      ctx.store.applyReceipt({
        conversationId: frame.conversationId,
        userId: conn.userId,
        seq: frame.seq,
        status: frame.status,
        atMs,
      }),
    );
    ctx.metrics.counters.storageTransactions += 1;
  } catch {
    ctx.connections.send(conn, errorFrame('E_UNAVAILABLE', 'storage unavailable; send the receipt again'));
    return;
  }
  if (!outcome.advanced || outcome.senderId === null || outcome.senderId === conn.userId) return;
  const text = JSON.stringify({
    type: 'receipt',
    conversationId: frame.conversationId,
    seq: frame.seq,
    userId: conn.userId,
    status: frame.status,
    serverTs: atMs,
  });
  await ctx.delivery.toUsers([outcome.senderId], text, 'receipt');
}

/** Sends every stored message after the given seqs (gap fill), then `sync.done` with the highest seqs. */
export async function handleSync(ctx: GatewayContext, conn: Connection, frame: SyncFrame): Promise<void> {
  const requestId = frame.requestId;
  const highest: Record<string, number> = {};
  try {
    for (const [conversationId, afterSeq] of Object.entries(frame.conversations)) {
      const members = await membersOf(ctx, conversationId);
      if (!members.includes(conn.userId)) {
        ctx.connections.send(
          conn,
          errorFrame('E_NOT_MEMBER', `not a member of ${conversationId}`, { requestId }),
        );
        return;
      }
      let cursor = afterSeq;
      for (;;) {
        const page = await ctx.storeBreaker.execute(() =>
          ctx.store.messagesAfter(conversationId, cursor, 500),
        );
        for (const message of page) ctx.connections.send(conn, deliverFrame(message, true));
        if (page.length < 500 || conn.closing) break;
        cursor = page[page.length - 1].seq;
      }
      const max = await ctx.storeBreaker.execute(() => ctx.store.maxSeq([conversationId]));
      highest[conversationId] = max.get(conversationId) ?? 0;
    }
  } catch (error) {
    const code = error instanceof ConversationError ? error.code : 'E_UNAVAILABLE';
    ctx.connections.send(
      conn,
      errorFrame(code, error instanceof Error ? error.message : 'storage unavailable', { requestId }),
    );
    return;
  }
  ctx.connections.send(conn, JSON.stringify({ type: 'sync.done', requestId, conversations: highest }));
}

export async function handleGroupCreate(
  ctx: GatewayContext,
  conn: Connection,
  frame: GroupCreateFrame,
): Promise<void> {
  const requestId = frame.requestId;
  const members = [...new Set([conn.userId, ...frame.members])].sort();
  if (members.length > ctx.options.maxGroupSize) {
    ctx.connections.send(
      conn,
      errorFrame('E_GROUP_TOO_LARGE', `${members.length} members; at most ${ctx.options.maxGroupSize}`, {
        requestId,
      }),
    );
    return;
  }
  const conversationId = frame.conversationId ?? `g:${randomBytes(12).toString('base64url')}`;
  if (parseConversationId(conversationId)?.kind !== 'group') {
    ctx.connections.send(
      conn,
      errorFrame('E_BAD_FRAME', 'group ids look like "g:<1–64 of [A-Za-z0-9_.:-]>"', { requestId }),
    );
    return;
  }
  let result;
  try {
    result = await ctx.storeBreaker.execute(() =>
      ctx.store.createGroup(conversationId, members, ctx.clock.nowMs()),
    );
  } catch {
    ctx.connections.send(conn, errorFrame('E_UNAVAILABLE', 'storage unavailable', { requestId }));
    return;
  }
  if (result === 'conflict') {
    ctx.connections.send(
      conn,
      errorFrame('E_CONFLICT', `${conversationId} exists with other members`, { requestId }),
    );
    return;
  }
  ctx.connections.send(conn, JSON.stringify({ type: 'group.created', requestId, conversationId, members }));
}

export async function handlePresence(
  ctx: GatewayContext,
  conn: Connection,
  frame: PresenceQueryFrame,
): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  const users: Record<string, { online: boolean; lastSeen: number | null }> = {};
  let presence;
  try {
    presence = await ctx.busBreaker.execute(() => ctx.registry.lookup(frame.userIds, nowMs));
  } catch {
    presence = new Map();
  }
  for (const userId of frame.userIds) {
    const entry = presence.get(userId);
    const local = ctx.connections.devices(userId);
    let lastSeen = entry?.lastSeenMs ?? null;
    if (local !== undefined) for (const c of local.values()) lastSeen = Math.max(lastSeen ?? 0, c.lastSeenMs);
    const online = (local !== undefined && local.size > 0) || (entry?.devices.length ?? 0) > 0;
    users[userId] = { online, lastSeen };
  }
  ctx.connections.send(conn, JSON.stringify({ type: 'presence', requestId: frame.requestId, users }));
}
