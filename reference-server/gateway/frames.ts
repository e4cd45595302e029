/**
 * Client → server frames of PROTOCOL.md and their validation. Hand-written checks (not zod) because
 * this runs for every frame on the hot path; every rejection maps to a stable error code.
 */
import { idPattern } from '../auth/token.js';

export type ErrorCode =
  | 'E_BAD_FRAME'
  | 'E_UNKNOWN_TYPE'
  | 'E_FRAME_TOO_LARGE'
  | 'E_BODY_TOO_LARGE'
  | 'E_NOT_MEMBER'
  | 'E_CONVERSATION_NOT_FOUND'
  | 'E_CONFLICT'
  | 'E_GROUP_TOO_LARGE'
  | 'E_RATE_LIMITED'
  | 'E_OVERLOADED'
  | 'E_UNAVAILABLE'
  | 'E_INTERNAL';

export interface SendFrame {
  type: 'send';
  conversationId: string;
  idempotencyKey: string;
  body: string;
  clientTs: number | null;
}
export interface ReceiptFrame {
  type: 'receipt';
  conversationId: string;
  seq: number;
  status: 'delivered' | 'read';
}
export interface SyncFrame {
  type: 'sync';
  requestId: string | undefined;
  conversations: Record<string, number>;
}
export interface GroupCreateFrame {
  type: 'group.create';
  requestId: string | undefined;
  conversationId: string | undefined;
  members: string[];
}
export interface PresenceQueryFrame {
  type: 'presence.query';
  requestId: string | undefined;
  userIds: string[];
}
export interface PingFrame {
  type: 'ping';
  ts: unknown;
}

export type ClientFrame =
  SendFrame | ReceiptFrame | SyncFrame | GroupCreateFrame | PresenceQueryFrame | PingFrame;

export interface FrameRejection {
  code: ErrorCode;
  message: string;
  requestId?: string;
  idempotencyKey?: string;
}

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; error: FrameRejection };

/** Conversation ids: `dm:<a>:<b>` or `g:<1–64 id characters>`. */
const groupIdPattern = /^g:[A-Za-z0-9_.:-]{1,64}$/;

export interface DmParts {
  kind: 'dm';
  members: [string, string];
}
export interface GroupParts {
  kind: 'group';
}

/** Parses a conversation id; `dm:a:b` must list two different valid user ids sorted ascending. */
export function parseConversationId(id: string): DmParts | GroupParts | undefined {
  if (id.startsWith('dm:')) {
    const rest = id.slice(3);
    // User ids may contain ':' themselves, so try every split point.
    for (let i = rest.indexOf(':'); i > 0; i = rest.indexOf(':', i + 1)) {
      const a = rest.slice(0, i);
      const b = rest.slice(i + 1);
      if (idPattern.test(a) && idPattern.test(b) && a < b) return { kind: 'dm', members: [a, b] };
    }
    return undefined;
  }
  return groupIdPattern.test(id) ? { kind: 'group' } : undefined;
}

/** The 1:1 conversation id of two users. */
export function dmConversationId(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const optionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';

function bad(message: string, extra: Partial<FrameRejection> = {}): ParseResult {
  return { ok: false, error: { code: 'E_BAD_FRAME', message, ...extra } };
}

export function parseClientFrame(text: string, maxBodyBytes: number): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return bad('frame is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return bad('frame must be a JSON object');
  const f = raw as Record<string, unknown>;
  if (!isString(f.type)) return bad('frame has no string "type"');
  const requestId = isString(f.requestId) ? f.requestId : undefined;
  switch (f.type) {
    case 'send': {
      const key = isString(f.idempotencyKey) ? f.idempotencyKey : undefined;
      if (key === undefined || key.length < 1 || key.length > 128) {
        return bad('send needs "idempotencyKey": a string of 1–128 characters');
      }
      if (!isString(f.conversationId))
        return bad('send needs a string "conversationId"', { idempotencyKey: key });
      if (!isString(f.body)) return bad('send needs a string "body"', { idempotencyKey: key });
      if (f.clientTs !== undefined && (typeof f.clientTs !== 'number' || !Number.isFinite(f.clientTs))) {
        return bad('"clientTs" must be a number', { idempotencyKey: key });
      }
      // Byte length, not characters: the limit protects memory and storage.
      if (f.body.length > maxBodyBytes || Buffer.byteLength(f.body, 'utf8') > maxBodyBytes) {
        return {
          ok: false,
          error: {
            code: 'E_BODY_TOO_LARGE',
            message: `body is over ${maxBodyBytes} bytes`,
            idempotencyKey: key,
          },
        };
      }
      return {
        ok: true,
        frame: {
          type: 'send',
          conversationId: f.conversationId,
          idempotencyKey: key,
          body: f.body,
          clientTs: typeof f.clientTs === 'number' ? f.clientTs : null,
        },
      };
    }
    case 'receipt': {
      if (!isString(f.conversationId)) return bad('receipt needs a string "conversationId"');
      if (typeof f.seq !== 'number' || !Number.isSafeInteger(f.seq) || f.seq < 1) {
        return bad('receipt needs "seq": a positive integer');
      }
      if (f.status !== 'delivered' && f.status !== 'read')
        return bad('receipt "status" must be "delivered" or "read"');
      return {
        ok: true,
        frame: { type: 'receipt', conversationId: f.conversationId, seq: f.seq, status: f.status },
      };
    }
    case 'sync': {
      if (!optionalString(f.requestId)) return bad('"requestId" must be a string');
      const conversations = f.conversations;
      if (typeof conversations !== 'object' || conversations === null || Array.isArray(conversations)) {
        return bad('sync needs "conversations": an object of conversationId → last seen seq', { requestId });
      }
      const entries = Object.entries(conversations as Record<string, unknown>);
      if (entries.length > 1000) return bad('sync lists at most 1000 conversations', { requestId });
      for (const [, seq] of entries) {
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
          return bad('sync "conversations" values must be integers ≥ 0', { requestId });
        }
      }
      return {
        ok: true,
        frame: { type: 'sync', requestId, conversations: conversations as Record<string, number> },
      };
    }
    case 'group.create': {
      if (!optionalString(f.requestId)) return bad('"requestId" must be a string');
      if (!optionalString(f.conversationId)) return bad('"conversationId" must be a string', { requestId });
      if (!Array.isArray(f.members) || !f.members.every((m) => isString(m) && idPattern.test(m))) {
        return bad('group.create needs "members": an array of user ids', { requestId });
      }
      return {
        ok: true,
        frame: {
          type: 'group.create',
          requestId,
          conversationId: f.conversationId,
          members: f.members as string[],
        },
      };
    }
    case 'presence.query': {
      if (!optionalString(f.requestId)) return bad('"requestId" must be a string');
      if (!Array.isArray(f.userIds) || !f.userIds.every(isString) || f.userIds.length > 1000) {
        return bad('presence.query needs "userIds": an array of at most 1000 user ids', { requestId });
      }
      return { ok: true, frame: { type: 'presence.query', requestId, userIds: f.userIds as string[] } };
    }
    case 'ping':
      return { ok: true, frame: { type: 'ping', ts: f.ts } };
    default:
      return {
        ok: false,
        error: {
          code: 'E_UNKNOWN_TYPE',
          message: `unknown frame type "${f.type}"`,
          ...(requestId ? { requestId } : {}),
        },
      };
  }
}
