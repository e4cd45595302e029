/** The reference server's protocol v1 (reference-server/PROTOCOL.md): the default adapter. */
import type {
  ConnectRequest,
  InboundEvent,
  OutboundMessage,
  PlannedConversation,
  ProtocolAdapter,
  VirtualUserIdentity,
} from './adapter.js';
import { mintToken } from './token.js';

export interface ReferenceAdapterOptions {
  tokenSecret?: string;
  /** Token lifetime; long enough for the run plus reconnects. */
  tokenTtlSeconds?: number;
}

const retryable = new Set(['E_RATE_LIMITED', 'E_OVERLOADED', 'E_UNAVAILABLE']);

export function referenceAdapter(options: ReferenceAdapterOptions = {}): ProtocolAdapter {
  const secret = options.tokenSecret ?? 'capsim-dev-secret';
  const ttlSeconds = options.tokenTtlSeconds ?? 6 * 3600;
  return {
    name: 'reference',
    connect(target: string, user: VirtualUserIdentity, nowMs: number): ConnectRequest {
      const token = mintToken(
        { sub: user.userId, exp: Math.floor(nowMs / 1000) + ttlSeconds, dev: user.deviceId },
        secret,
      );
      const url = new URL(target);
      if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/ws';
      url.searchParams.set('token', token);
      url.searchParams.set('deviceId', user.deviceId);
      return { url: url.toString() };
    },
    directConversationId(userA: string, userB: string): string {
      const [a, b] = [userA, userB].sort();
      return `dm:${a}:${b}`;
    },
    encodeGroupCreate(conversation: PlannedConversation, requestId: string): string | null {
      return JSON.stringify({
        type: 'group.create',
        requestId,
        conversationId: conversation.conversationId,
        members: conversation.members,
      });
    },
    encodeSend(message: OutboundMessage): string {
      // A literal of fixed shape (not a spread) keeps JSON.stringify on its fast path: once per message.
      return JSON.stringify({
        type: 'send',
        conversationId: message.conversationId,
        idempotencyKey: message.idempotencyKey,
        body: message.body,
        clientTs: message.clientTs,
      });
    },
    encodePing(nowMs: number): string {
      return JSON.stringify({ type: 'ping', ts: nowMs });
    },
    encodeReceipt(conversationId: string, seq: number): string {
      return JSON.stringify({ type: 'receipt', conversationId, seq, status: 'delivered' });
    },
    encodeSync(lastSeqByConversation: Record<string, number>, requestId: string): string {
      return JSON.stringify({ type: 'sync', requestId, conversations: lastSeqByConversation });
    },
    decode(frame: string): InboundEvent {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(frame) as Record<string, unknown>;
      } catch {
        return { type: 'error', code: 'E_CLIENT_BAD_FRAME', message: 'server sent a frame that is not JSON' };
      }
      switch (value.type) {
        case 'hello':
          return { type: 'hello', heartbeatMs: num(value.heartbeatMs), serverTs: num(value.serverTs) };
        case 'ack':
          return {
            type: 'ack',
            idempotencyKey: String(value.idempotencyKey),
            conversationId: String(value.conversationId),
            seq: Number(value.seq),
            duplicate: value.duplicate === true,
          };
        case 'deliver':
          return {
            type: 'deliver',
            conversationId: String(value.conversationId),
            seq: Number(value.seq),
            senderId: String(value.senderId),
            clientTs: num(value.clientTs),
            redelivery: value.redelivery === true,
          };
        case 'error':
          return {
            type: 'error',
            code: String(value.code),
            message: String(value.message ?? ''),
            idempotencyKey: str(value.idempotencyKey),
            requestId: str(value.requestId),
            retryAfterMs: num(value.retryAfterMs),
          };
        case 'pong':
          return { type: 'pong', ts: num(value.ts), serverTs: num(value.serverTs) };
        case 'group.created':
          return {
            type: 'group.created',
            requestId: str(value.requestId),
            conversationId: String(value.conversationId),
          };
        case 'sync.done':
          return { type: 'sync.done', requestId: str(value.requestId) };
        case 'reconnect':
          return { type: 'reconnect', retryAfterMs: num(value.retryAfterMs) };
        default:
          return { type: 'ignored' };
      }
    },
    isRetryable(code: string): boolean {
      return retryable.has(code);
    },
  };
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
