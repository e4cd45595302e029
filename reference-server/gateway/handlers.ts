/**
 * Frame handlers for the client frames of PROTOCOL.md other than `send` (send.ts): receipts, sync,
 * group creation and presence; and the error frame they all use.
 */
import { randomBytes } from 'node:crypto';
import type { Connection } from './connection.js';
import type { GatewayContext } from './context.js';
import { deliverFrame } from './delivery.js';
import {
  parseConversationId,
  type ErrorCode,
  type GroupCreateFrame,
  type PresenceQueryFrame,
  type ReceiptFrame,
  type SyncFrame,
} from './frames.js';
import { ConversationError, membersOf } from './members.js';

export function errorFrame(
  code: ErrorCode,
  message: string,
  extra: { requestId?: string; idempotencyKey?: string; retryAfterMs?: number } = {},
): string {
  return JSON.stringify({ type: 'error', code, message, ...extra });
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
