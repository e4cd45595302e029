/** One message of a write-buffer flush in a dm, for store and write-buffer tests. */
import type { AppendItem, StoredMessage } from '../contracts.js';

/** Message `seq` of a dm (default alice → bob); the inbox goes to the member who did not send it. */
export function dmAppendItem(seq: number, fields: Partial<StoredMessage> = {}): AppendItem {
  const conversationId = fields.conversationId ?? 'dm:alice:bob';
  const message: StoredMessage = {
    conversationId,
    seq,
    messageId: `${conversationId}#${seq}`,
    senderId: 'alice',
    senderDeviceId: 'phone',
    idempotencyKey: `k${seq}`,
    body: `m${seq}`,
    clientTs: null,
    serverTs: 1_000 + seq,
    ...fields,
  };
  const members = conversationId.slice('dm:'.length).split(':');
  return { message, inboxUserIds: members.filter((userId) => userId !== message.senderId) };
}
