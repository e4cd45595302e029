/**
 * Conversation membership for the frame handlers. Both kinds are immutable once they exist (a dm's
 * members are in its id; groups cannot change), so members are cached; the cache is cleared wholesale
 * at 100,000 entries.
 */
import type { GatewayContext } from './context.js';
import { parseConversationId, type ErrorCode } from './frames.js';

export class ConversationError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Members of a conversation (cached, parsed from a dm id, or read from the store for a group). */
export async function membersOf(ctx: GatewayContext, conversationId: string): Promise<readonly string[]> {
  return knownMembers(ctx, conversationId) ?? (await loadGroupMembers(ctx, conversationId));
}

/** A group's members from the store (not cached yet), cached for next time. */
export async function loadGroupMembers(
  ctx: GatewayContext,
  conversationId: string,
): Promise<readonly string[]> {
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
export function knownMembers(ctx: GatewayContext, conversationId: string): readonly string[] | undefined {
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
