/**
 * MessageStore on SQLite (better-sqlite3) in WAL mode: one file in the data directory, one writer.
 * better-sqlite3 is synchronous; each method runs one short statement or transaction, so the event
 * loop is blocked only for that long — which is why the write buffer groups messages: one commit (one
 * WAL fsync with synchronous=FULL) per batch instead of per message.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AppendItem,
  DeadLetter,
  IdempotencyRecord,
  InboxCursor,
  MessageStore,
  NewDeadLetter,
  ReceiptOutcome,
  ReceiptUpdate,
  RetentionKind,
  StoredMessage,
  BusEnvelope,
} from '../contracts.js';
import { sqliteSchema } from './sqlite-schema.js';

interface MessageRow {
  conversation_id: string;
  seq: number;
  sender_id: string;
  sender_device_id: string;
  idempotency_key: string;
  body: string;
  client_ts: number | null;
  server_ts: number;
}

const messageColumns =
  'm.conversation_id, m.seq, m.sender_id, m.sender_device_id, m.idempotency_key, m.body, m.client_ts, m.server_ts';

function toMessage(row: MessageRow): StoredMessage {
  return {
    conversationId: row.conversation_id,
    seq: row.seq,
    messageId: `${row.conversation_id}#${row.seq}`,
    senderId: row.sender_id,
    senderDeviceId: row.sender_device_id,
    idempotencyKey: row.idempotency_key,
    body: row.body,
    clientTs: row.client_ts,
    serverTs: row.server_ts,
  };
}

export interface SqliteStoreOptions {
  dataDir: string;
  synchronous: 'full' | 'normal';
}

/** Path of the database file inside a data directory (the `capsim dlq` command opens it too). */
export function sqlitePath(dataDir: string): string {
  return join(dataDir, 'capsim.sqlite');
}

export class SqliteMessageStore implements MessageStore {
  private db: Database.Database | undefined;
  private statements!: ReturnType<SqliteMessageStore['prepare']>;
  /** Storage transactions committed (exported as a metric). */
  transactions = 0;

  constructor(private readonly options: SqliteStoreOptions) {}

  async init(): Promise<void> {
    mkdirSync(this.options.dataDir, { recursive: true });
    const db = new Database(sqlitePath(this.options.dataDir));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.exec(sqliteSchema);
    this.db = db;
    this.statements = this.prepare(db);
  }

  private prepare(db: Database.Database) {
    return {
      insertMessage: db.prepare(
        `INSERT INTO messages (conversation_id, seq, sender_id, sender_device_id, idempotency_key, body, client_ts, server_ts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertKey: db.prepare(
        `INSERT OR REPLACE INTO idempotency_keys (sender_id, idempotency_key, conversation_id, seq, server_ts) VALUES (?, ?, ?, ?, ?)`,
      ),
      insertInbox: db.prepare('INSERT OR IGNORE INTO inbox (user_id, conversation_id, seq) VALUES (?, ?, ?)'),
      upsertSeq: db.prepare(
        `INSERT INTO conversations (conversation_id, last_seq) VALUES (?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`,
      ),
      lastSeq: db.prepare('SELECT last_seq FROM conversations WHERE conversation_id = ?').pluck(),
      findKey: db.prepare(
        'SELECT conversation_id, seq, server_ts FROM idempotency_keys WHERE sender_id = ? AND idempotency_key = ?',
      ),
      after: db.prepare(
        `SELECT ${messageColumns} FROM messages m WHERE m.conversation_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`,
      ),
      before: db.prepare(
        `SELECT ${messageColumns} FROM messages m WHERE m.conversation_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
      ),
      inbox: db.prepare(
        `SELECT ${messageColumns} FROM inbox i JOIN messages m ON m.conversation_id = i.conversation_id AND m.seq = i.seq
         WHERE i.user_id = ? AND (i.conversation_id, i.seq) > (?, ?) ORDER BY i.conversation_id, i.seq LIMIT ?`,
      ),
      receipt: db.prepare(
        'SELECT delivered_seq, read_seq FROM receipts WHERE conversation_id = ? AND user_id = ?',
      ),
      upsertReceipt: db.prepare(
        `INSERT INTO receipts (conversation_id, user_id, delivered_seq, read_seq) VALUES (?, ?, ?, ?)
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET delivered_seq = excluded.delivered_seq, read_seq = excluded.read_seq`,
      ),
      stampDelivered: db.prepare(
        'UPDATE messages SET delivered_at = ? WHERE conversation_id = ? AND seq > ? AND seq <= ? AND delivered_at IS NULL',
      ),
      stampRead: db.prepare(
        'UPDATE messages SET read_at = ? WHERE conversation_id = ? AND seq > ? AND seq <= ? AND read_at IS NULL',
      ),
      removeInbox: db.prepare('DELETE FROM inbox WHERE user_id = ? AND conversation_id = ? AND seq <= ?'),
      senderOf: db.prepare('SELECT sender_id FROM messages WHERE conversation_id = ? AND seq = ?').pluck(),
      group: db.prepare('SELECT members FROM groups WHERE conversation_id = ?').pluck(),
      insertGroup: db.prepare('INSERT INTO groups (conversation_id, members, created_at) VALUES (?, ?, ?)'),
      insertDead: db.prepare(
        'INSERT INTO dead_letters (target_instance, envelope, error, attempts, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      listDead: db.prepare('SELECT * FROM dead_letters WHERE id > ? ORDER BY id LIMIT ?'),
      removeDead: db.prepare('DELETE FROM dead_letters WHERE id = ?'),
      countDead: db.prepare('SELECT count(*) FROM dead_letters').pluck(),
    };
  }

  private get database(): Database.Database {
    if (this.db === undefined) throw new Error('SQLite store is not open');
    return this.db;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  async ping(): Promise<void> {
    this.database.prepare('SELECT 1').get();
  }

  async appendBatch(items: readonly AppendItem[]): Promise<void> {
    const s = this.statements;
    const lastSeq = new Map<string, number>();
    this.database.transaction(() => {
      for (const { message: m, inboxUserIds } of items) {
        s.insertMessage.run(
          m.conversationId,
          m.seq,
          m.senderId,
          m.senderDeviceId,
          m.idempotencyKey,
          m.body,
          m.clientTs,
          m.serverTs,
        );
        s.insertKey.run(m.senderId, m.idempotencyKey, m.conversationId, m.seq, m.serverTs);
        for (const userId of inboxUserIds) s.insertInbox.run(userId, m.conversationId, m.seq);
        lastSeq.set(m.conversationId, Math.max(lastSeq.get(m.conversationId) ?? 0, m.seq));
      }
      for (const [conversationId, seq] of lastSeq) s.upsertSeq.run(conversationId, seq);
    })();
    this.transactions += 1;
  }

  async maxSeq(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (const id of conversationIds)
      result.set(id, (this.statements.lastSeq.get(id) as number | undefined) ?? 0);
    return result;
  }

  async findIdempotent(
    keys: readonly { senderId: string; idempotencyKey: string }[],
  ): Promise<(IdempotencyRecord | undefined)[]> {
    return keys.map(({ senderId, idempotencyKey }) => {
      const row = this.statements.findKey.get(senderId, idempotencyKey) as
        { conversation_id: string; seq: number; server_ts: number } | undefined;
      if (row === undefined) return undefined;
      return {
        senderId,
        idempotencyKey,
        conversationId: row.conversation_id,
        seq: row.seq,
        messageId: `${row.conversation_id}#${row.seq}`,
        serverTs: row.server_ts,
      };
    });
  }

  async messagesAfter(conversationId: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    return (this.statements.after.all(conversationId, afterSeq, limit) as MessageRow[]).map(toMessage);
  }

  async messagesBefore(
    conversationId: string,
    beforeSeq: number | null,
    limit: number,
  ): Promise<StoredMessage[]> {
    const before = beforeSeq ?? Number.MAX_SAFE_INTEGER;
    return (this.statements.before.all(conversationId, before, limit) as MessageRow[]).map(toMessage);
  }

  async readInbox(userId: string, cursor: InboxCursor | null, limit: number): Promise<StoredMessage[]> {
    const rows = this.statements.inbox.all(userId, cursor?.conversationId ?? '', cursor?.seq ?? 0, limit);
    return (rows as MessageRow[]).map(toMessage);
  }

  async applyReceipt(update: ReceiptUpdate): Promise<ReceiptOutcome> {
    const s = this.statements;
    const outcome = this.database.transaction((): ReceiptOutcome => {
      const { conversationId, userId, seq, status, atMs } = update;
      const current = s.receipt.get(conversationId, userId) as
        { delivered_seq: number; read_seq: number } | undefined;
      const deliveredSeq = current?.delivered_seq ?? 0;
      const readSeq = current?.read_seq ?? 0;
      const senderId = (s.senderOf.get(conversationId, seq) as string | undefined) ?? null;
      const previous = status === 'read' ? readSeq : deliveredSeq;
      if (seq <= previous) return { advanced: false, senderId };
      // A read receipt implies delivered (status only moves forward: sent → delivered → read).
      const nextDelivered = Math.max(deliveredSeq, seq);
      const nextRead = status === 'read' ? seq : readSeq;
      s.upsertReceipt.run(conversationId, userId, nextDelivered, nextRead);
      if (nextDelivered > deliveredSeq)
        s.stampDelivered.run(atMs, conversationId, deliveredSeq, nextDelivered);
      if (nextRead > readSeq) s.stampRead.run(atMs, conversationId, readSeq, nextRead);
      s.removeInbox.run(userId, conversationId, seq);
      return { advanced: true, senderId };
    })();
    this.transactions += 1;
    return outcome;
  }

  async createGroup(
    conversationId: string,
    memberIds: readonly string[],
    nowMs: number,
  ): Promise<'created' | 'exists' | 'conflict'> {
    const members = JSON.stringify([...new Set(memberIds)].sort());
    return this.database.transaction(() => {
      const existing = this.statements.group.get(conversationId) as string | undefined;
      if (existing !== undefined) return existing === members ? 'exists' : 'conflict';
      this.statements.insertGroup.run(conversationId, members, nowMs);
      this.transactions += 1;
      return 'created';
    })();
  }

  async groupMembers(conversationId: string): Promise<string[] | undefined> {
    const members = this.statements.group.get(conversationId) as string | undefined;
    return members === undefined ? undefined : (JSON.parse(members) as string[]);
  }

  async addDeadLetters(entries: readonly NewDeadLetter[]): Promise<void> {
    this.database.transaction(() => {
      for (const e of entries) {
        this.statements.insertDead.run(
          e.targetInstanceId,
          JSON.stringify(e.envelope),
          e.error,
          e.attempts,
          e.createdAtMs,
        );
      }
    })();
    this.transactions += 1;
  }

  async listDeadLetters(afterId: number, limit: number): Promise<DeadLetter[]> {
    const rows = this.statements.listDead.all(afterId, limit) as {
      id: number;
      target_instance: string;
      envelope: string;
      error: string;
      attempts: number;
      created_at: number;
    }[];
    return rows.map((row) => ({
      id: row.id,
      targetInstanceId: row.target_instance,
      envelope: JSON.parse(row.envelope) as BusEnvelope,
      error: row.error,
      attempts: row.attempts,
      createdAtMs: row.created_at,
    }));
  }

  async removeDeadLetters(ids: readonly number[]): Promise<void> {
    this.database.transaction(() => {
      for (const id of ids) this.statements.removeDead.run(id);
    })();
  }

  async countDeadLetters(): Promise<number> {
    return this.statements.countDead.get() as number;
  }

  async sweep(kind: RetentionKind, cutoffMs: number, batchSize: number): Promise<number> {
    const db = this.database;
    const noInbox =
      'NOT EXISTS (SELECT 1 FROM inbox i WHERE i.conversation_id = m.conversation_id AND i.seq = m.seq)';
    let deleted = 0;
    db.transaction(() => {
      switch (kind) {
        case 'read':
        case 'delivered': {
          const column = kind === 'read' ? 'read_at' : 'delivered_at';
          deleted = db
            .prepare(
              `DELETE FROM messages WHERE (conversation_id, seq) IN (
                 SELECT m.conversation_id, m.seq FROM messages m
                 WHERE m.${column} IS NOT NULL AND m.${column} < ? AND ${noInbox} LIMIT ?)`,
            )
            .run(cutoffMs, batchSize).changes;
          break;
        }
        case 'undelivered': {
          const victims = db
            .prepare('SELECT conversation_id, seq FROM messages WHERE server_ts < ? LIMIT ?')
            .all(cutoffMs, batchSize) as { conversation_id: string; seq: number }[];
          const dropInbox = db.prepare('DELETE FROM inbox WHERE conversation_id = ? AND seq = ?');
          const dropMessage = db.prepare('DELETE FROM messages WHERE conversation_id = ? AND seq = ?');
          for (const v of victims) {
            dropInbox.run(v.conversation_id, v.seq);
            deleted += dropMessage.run(v.conversation_id, v.seq).changes;
          }
          break;
        }
        case 'idempotency':
          deleted = db
            .prepare(
              `DELETE FROM idempotency_keys WHERE (sender_id, idempotency_key) IN (
                 SELECT sender_id, idempotency_key FROM idempotency_keys WHERE server_ts < ? LIMIT ?)`,
            )
            .run(cutoffMs, batchSize).changes;
          break;
        case 'deadLetters':
          deleted = db
            .prepare(
              'DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE created_at < ? LIMIT ?)',
            )
            .run(cutoffMs, batchSize).changes;
          break;
      }
    })();
    this.transactions += 1;
    return deleted;
  }
}
