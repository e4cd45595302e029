/**
 * The seam between capsim's virtual users and a particular server's wire protocol. The reference
 * protocol (reference-server/PROTOCOL.md) is the default; loadgen/ADAPTERS.md shows how to write one
 * for another server. Adapters are pure translators: no sockets, no timers, no clocks.
 */

/** Who a virtual user is. */
export interface VirtualUserIdentity {
  userId: string;
  deviceId: string;
}

/** A conversation as the load generator plans it (members all live in one worker). */
export interface PlannedConversation {
  conversationId: string;
  members: string[];
  kind: 'direct' | 'group';
}

export interface OutboundMessage {
  conversationId: string;
  idempotencyKey: string;
  body: string;
  /** The *intended* send time (open-model schedule), epoch ms; echoed to recipients. */
  clientTs: number;
}

/** Everything a virtual user reacts to, decoded from one server frame. */
export type InboundEvent =
  | { type: 'hello'; heartbeatMs?: number; serverTs?: number }
  | { type: 'ack'; idempotencyKey: string; conversationId: string; seq: number; duplicate: boolean }
  | {
      type: 'deliver';
      conversationId: string;
      seq: number;
      senderId: string;
      clientTs?: number;
      redelivery: boolean;
    }
  | {
      type: 'error';
      code: string;
      message: string;
      idempotencyKey?: string;
      requestId?: string;
      retryAfterMs?: number;
    }
  | { type: 'pong'; ts?: number; serverTs?: number }
  | { type: 'group.created'; requestId?: string; conversationId: string }
  | { type: 'sync.done'; requestId?: string }
  | { type: 'reconnect'; retryAfterMs?: number }
  | { type: 'ignored' };

export interface ConnectRequest {
  url: string;
  headers?: Record<string, string>;
}

export interface ProtocolAdapter {
  readonly name: string;
  /** How to open this user's WebSocket against `target` (a ws:// URL or base). */
  connect(target: string, user: VirtualUserIdentity, nowMs: number): ConnectRequest;
  /** Id of the 1:1 conversation between two users. */
  directConversationId(userA: string, userB: string): string;
  /** Frame that creates a group, or null when the server needs no setup (implicit groups). */
  encodeGroupCreate(conversation: PlannedConversation, requestId: string): string | null;
  encodeSend(message: OutboundMessage): string;
  /** Application-level heartbeat frame, or null to rely on WebSocket pings. */
  encodePing(nowMs: number): string | null;
  /** A delivered receipt for (conversation, seq), or null if the protocol has none. */
  encodeReceipt(conversationId: string, seq: number): string | null;
  /** Asks for messages after the given seq per conversation (gap fill after reconnect), or null. */
  encodeSync(lastSeqByConversation: Record<string, number>, requestId: string): string | null;
  decode(frame: string): InboundEvent;
  /** Whether an error code means "retry the same send later" rather than a failure. */
  isRetryable(code: string): boolean;
}
