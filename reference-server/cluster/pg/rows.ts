/** Row ↔ contract conversions (pg returns int8 as strings: they are parsed, all values fit in 2^53). */
import type { DeadLetter, BusEnvelope, StoredMessage } from '../../contracts.js';

export interface MessageRow {
  conversation_id: string;
  seq: string;
  sender_id: string;
  sender_device_id: string;
  idempotency_key: string;
  body: string;
  client_ts: number | null;
  server_ts: string;
}

/** Columns selected for a StoredMessage, optionally qualified by a table alias. */
export function messageColumns(alias = ''): string {
  const a = alias === '' ? '' : `${alias}.`;
  return [
    'conversation_id',
    'seq',
    'sender_id',
    'sender_device_id',
    'idempotency_key',
    'body',
    'client_ts',
    'server_ts',
  ]
    .map((column) => `${a}${column}`)
    .join(', ');
}

export function toMessage(row: MessageRow): StoredMessage {
  const seq = Number(row.seq);
  return {
    conversationId: row.conversation_id,
    seq,
    messageId: `${row.conversation_id}#${seq}`,
    senderId: row.sender_id,
    senderDeviceId: row.sender_device_id,
    idempotencyKey: row.idempotency_key,
    body: row.body,
    clientTs: row.client_ts === null ? null : Number(row.client_ts),
    serverTs: Number(row.server_ts),
  };
}

export interface DeadLetterRow {
  id: string;
  target_instance_id: string;
  envelope: BusEnvelope;
  error: string;
  attempts: number;
  created_at: string;
}

export function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: Number(row.id),
    targetInstanceId: row.target_instance_id,
    envelope: row.envelope,
    error: row.error,
    attempts: row.attempts,
    createdAtMs: Number(row.created_at),
  };
}
