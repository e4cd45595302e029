/**
 * Every SQLite write of embedded mode, on one connection. Runs in the writer thread
 * (sqlite-writer-worker.ts) so a commit's fsync never blocks the gateway's event loop, or inline
 * (`writer: 'inline'`) where threads are unwanted. Methods are synchronous and each is one transaction.
 */
import Database from 'better-sqlite3';
import type {
  AppendItem,
  NewDeadLetter,
  ReceiptOutcome,
  ReceiptUpdate,
  RetentionKind,
} from '../contracts.js';
import { sqliteSchema } from './sqlite-schema.js';

export type GroupResult = 'created' | 'exists' | 'conflict';

/** Opens a database file with the pragmas of embedded mode and makes sure the schema exists. */
export function openDatabase(path: string, synchronous: 'full' | 'normal'): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  // A group commit touches a few hundred b-tree pages (messages, keys and inbox, each with an index).
  // SQLite's defaults (2 MiB page cache, checkpoint every 1,000 WAL pages) made every commit re-read
  // pages from the OS and checkpoint (fsync the database) every second or third commit; 64 MiB and
  // 10,000 pages (~40 MiB of WAL) cut the writer's CPU per message by about 3× (bench: storage).
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 10000');
  db.exec(sqliteSchema);
  return db;
}

export class SqliteWrites {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
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
      removeDead: db.prepare('DELETE FROM dead_letters WHERE id = ?'),
    };
  }

  appendBatch(items: readonly AppendItem[]): void {
    const s = this.s;
    const lastSeq = new Map<string, number>();
    this.db.transaction(() => {
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
  }

  applyReceipt(update: ReceiptUpdate): ReceiptOutcome {
    const s = this.s;
    return this.db.transaction((): ReceiptOutcome => {
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
  }

  createGroup(conversationId: string, memberIds: readonly string[], nowMs: number): GroupResult {
    const members = JSON.stringify([...new Set(memberIds)].sort());
    return this.db.transaction((): GroupResult => {
      const existing = this.s.group.get(conversationId) as string | undefined;
      if (existing !== undefined) return existing === members ? 'exists' : 'conflict';
      this.s.insertGroup.run(conversationId, members, nowMs);
      return 'created';
    })();
  }

  addDeadLetters(entries: readonly NewDeadLetter[]): void {
    this.db.transaction(() => {
      for (const e of entries) {
        this.s.insertDead.run(
          e.targetInstanceId,
          JSON.stringify(e.envelope),
          e.error,
          e.attempts,
          e.createdAtMs,
        );
      }
    })();
  }

  removeDeadLetters(ids: readonly number[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.s.removeDead.run(id);
    })();
  }

  /** Deletes at most `batchSize` expired rows of one kind (see MessageStore.sweep). */
  sweep(kind: RetentionKind, cutoffMs: number, batchSize: number): number {
    const db = this.db;
    const noInbox =
      'NOT EXISTS (SELECT 1 FROM inbox i WHERE i.conversation_id = m.conversation_id AND i.seq = m.seq)';
    return db.transaction((): number => {
      switch (kind) {
        case 'read':
        case 'delivered': {
          const column = kind === 'read' ? 'read_at' : 'delivered_at';
          return db
            .prepare(
              `DELETE FROM messages WHERE (conversation_id, seq) IN (
                 SELECT m.conversation_id, m.seq FROM messages m
                 WHERE m.${column} IS NOT NULL AND m.${column} < ? AND ${noInbox} LIMIT ?)`,
            )
            .run(cutoffMs, batchSize).changes;
        }
        case 'undelivered': {
          const victims = db
            .prepare('SELECT conversation_id, seq FROM messages WHERE server_ts < ? LIMIT ?')
            .all(cutoffMs, batchSize) as { conversation_id: string; seq: number }[];
          const dropInbox = db.prepare('DELETE FROM inbox WHERE conversation_id = ? AND seq = ?');
          const dropMessage = db.prepare('DELETE FROM messages WHERE conversation_id = ? AND seq = ?');
          let deleted = 0;
          for (const v of victims) {
            dropInbox.run(v.conversation_id, v.seq);
            deleted += dropMessage.run(v.conversation_id, v.seq).changes;
          }
          return deleted;
        }
        case 'idempotency':
          return db
            .prepare(
              `DELETE FROM idempotency_keys WHERE (sender_id, idempotency_key) IN (
                 SELECT sender_id, idempotency_key FROM idempotency_keys WHERE server_ts < ? LIMIT ?)`,
            )
            .run(cutoffMs, batchSize).changes;
        case 'deadLetters':
          return db
            .prepare(
              'DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE created_at < ? LIMIT ?)',
            )
            .run(cutoffMs, batchSize).changes;
      }
    })();
  }
}

/** The write operations, as names the worker protocol uses. */
export type WriteOp =
  'appendBatch' | 'applyReceipt' | 'createGroup' | 'addDeadLetters' | 'removeDeadLetters' | 'sweep';
