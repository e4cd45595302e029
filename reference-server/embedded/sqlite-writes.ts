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
import { copyVersion1, setVersion1Aside, sqliteSchema, sqliteSchemaVersion } from './sqlite-schema.js';

export type GroupResult = 'created' | 'exists' | 'conflict';

/**
 * A batch as one flat array, the form it crosses to the writer thread in: structured clone copies an
 * array of strings and numbers several times faster than objects with named fields (a batch of 600
 * messages took ~2.5 ms of the gateway's thread as objects). Per message: conversationId, seq,
 * senderId, senderDeviceId, idempotencyKey, body, clientTs, serverTs, n, then the n inbox user ids.
 */
export type EncodedBatch = (string | number | null)[];

export function encodeBatch(items: readonly AppendItem[]): EncodedBatch {
  const batch: EncodedBatch = [];
  for (const { message: m, inboxUserIds } of items) {
    batch.push(
      m.conversationId,
      m.seq,
      m.senderId,
      m.senderDeviceId,
      m.idempotencyKey,
      m.body,
      m.clientTs,
      m.serverTs,
      inboxUserIds.length,
    );
    for (const userId of inboxUserIds) batch.push(userId);
  }
  return batch;
}

/** Opens a database file with the pragmas of embedded mode and makes sure the schema exists. */
export function openDatabase(path: string, synchronous: 'full' | 'normal'): Database.Database {
  const db = new Database(path);
  // A commit rewrites every page it touches whole, in the WAL and again at checkpoint: with ~100
  // index leaves touched per group commit, 2 KiB pages write ~35% fewer bytes per message than 4 KiB
  // (bench: 1.6 vs 2.5 KB/message), and fsync waits for those bytes. Takes effect on a new file only.
  db.pragma('page_size = 2048');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  // A group commit touches a few hundred b-tree pages (messages and keys, each with an index).
  // SQLite's defaults (2 MiB page cache, checkpoint every 1,000 WAL pages) made every commit re-read
  // pages from the OS and checkpoint (fsync the database) every second or third commit; a bigger cache
  // and 10,000 pages (~20 MiB of WAL) cut the writer's CPU per message by about 3× (bench: storage).
  // Not bigger than 16 MiB: a page split renumbers pages through a temporary page number far past the
  // end of the file (balance_nonroot's PENDING_BYTE page), so at every commit SQLite scans its whole
  // page-cache hash to drop pages past the end. With 64 MiB that scan was 12% of the writer's CPU
  // (perf); 16 MiB measured 13% less writer CPU per message than 64 MiB, and 4–8 MiB re-read more.
  db.pragma('cache_size = -16384');
  db.pragma('wal_autocheckpoint = 10000');
  const version = db.pragma('user_version', { simple: true }) as number;
  const hasInbox = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inbox'");
  // Version 1 had no user_version (0) and an inbox table; a new file has neither.
  const version1 = version < sqliteSchemaVersion && hasInbox.get() !== undefined;
  db.transaction(() => {
    if (version1) db.exec(setVersion1Aside);
    db.exec(sqliteSchema);
    if (version1) db.exec(copyVersion1);
    if (version < sqliteSchemaVersion) db.pragma(`user_version = ${sqliteSchemaVersion}`);
  })();
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
      insertRecipient: db.prepare(
        'INSERT OR IGNORE INTO recipients (user_id, conversation_id) VALUES (?, ?)',
      ),
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
    this.appendEncoded(encodeBatch(items));
  }

  /** One transaction for a batch in `encodeBatch`'s layout. */
  appendEncoded(batch: EncodedBatch): void {
    const s = this.s;
    const lastSeq = new Map<string, number>();
    const added = new Set<string>();
    this.db.transaction(() => {
      let i = 0;
      while (i < batch.length) {
        const conversationId = batch[i] as string;
        const seq = batch[i + 1] as number;
        const senderId = batch[i + 2] as string;
        const idempotencyKey = batch[i + 4] as string;
        const serverTs = batch[i + 7] as number;
        s.insertMessage.run(
          conversationId,
          seq,
          senderId,
          batch[i + 3],
          idempotencyKey,
          batch[i + 5],
          batch[i + 6],
          serverTs,
        );
        s.insertKey.run(senderId, idempotencyKey, conversationId, seq, serverTs);
        const recipients = batch[i + 8] as number;
        if (!this.knownConversations.has(conversationId) && !added.has(conversationId)) {
          // Every member, the sender too: the conversation is then complete in `recipients`.
          s.insertRecipient.run(senderId, conversationId);
          for (let r = 0; r < recipients; r += 1) s.insertRecipient.run(batch[i + 9 + r], conversationId);
          added.add(conversationId);
        }
        i += 9 + recipients;
        if ((lastSeq.get(conversationId) ?? 0) < seq) lastSeq.set(conversationId, seq);
      }
      for (const [conversationId, seq] of lastSeq) s.upsertSeq.run(conversationId, seq);
    })();
    this.remember(added);
  }

  /** Conversations whose members are all in `recipients` (committed), so appends skip the inserts. */
  private readonly knownConversations = new Set<string>();

  private remember(conversationIds: Iterable<string>): void {
    for (const id of conversationIds) {
      if (this.knownConversations.size >= 100_000) this.knownConversations.clear();
      this.knownConversations.add(id);
    }
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
      return { advanced: true, senderId };
    })();
  }

  createGroup(conversationId: string, memberIds: readonly string[], nowMs: number): GroupResult {
    const members = JSON.stringify([...new Set(memberIds)].sort());
    return this.db.transaction((): GroupResult => {
      const existing = this.s.group.get(conversationId) as string | undefined;
      if (existing !== undefined) return existing === members ? 'exists' : 'conflict';
      this.s.insertGroup.run(conversationId, members, nowMs);
      for (const userId of JSON.parse(members) as string[])
        this.s.insertRecipient.run(userId, conversationId);
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
    // "No inbox row left": no recipient of the conversation (other than the sender) below m.seq.
    const noInbox = `NOT EXISTS (SELECT 1 FROM recipients rc
       LEFT JOIN receipts r ON r.conversation_id = rc.conversation_id AND r.user_id = rc.user_id
       WHERE rc.conversation_id = m.conversation_id AND rc.user_id != m.sender_id
         AND coalesce(r.delivered_seq, 0) < m.seq)`;
    return db.transaction((): number => {
      switch (kind) {
        case 'read':
        case 'delivered': {
          const column = kind === 'read' ? 'read_at' : 'delivered_at';
          return db
            .prepare(
              `DELETE FROM messages WHERE id IN (
                 SELECT m.id FROM messages m
                 WHERE m.${column} IS NOT NULL AND m.${column} < ? AND ${noInbox} LIMIT ?)`,
            )
            .run(cutoffMs, batchSize).changes;
        }
        // Rowid order is time order (sqlite-schema.ts), so the oldest rows come first and a sweep stops
        // at the first row that is not expired. A row stamped by a clock that ran backwards (a restart
        // with an earlier wall clock) waits for the rows before it: swept late by the skew, never early.
        case 'undelivered':
          return db.prepare(oldestFirst('messages')).run({ cutoffMs, batchSize }).changes;
        case 'idempotency':
          return db.prepare(oldestFirst('idempotency_keys')).run({ cutoffMs, batchSize }).changes;
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

/** Deletes up to @batchSize of the oldest rows of a rowid table, stopping at the first not older than @cutoffMs. */
function oldestFirst(table: 'messages' | 'idempotency_keys'): string {
  return `DELETE FROM ${table} WHERE id IN (
    SELECT id FROM ${table}
    WHERE id < coalesce((SELECT id FROM ${table} WHERE server_ts >= @cutoffMs ORDER BY id LIMIT 1), 9e18)
    ORDER BY id LIMIT @batchSize)`;
}

/** The write operations, as names the worker protocol uses. */
export type WriteOp =
  | 'appendBatch'
  | 'appendEncoded'
  | 'applyReceipt'
  | 'createGroup'
  | 'addDeadLetters'
  | 'removeDeadLetters'
  | 'sweep';
