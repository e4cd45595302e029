/**
 * MessageStore on SQLite (better-sqlite3) in WAL mode: one file in the data directory. Reads run on a
 * connection in the gateway's thread (short indexed lookups); every write goes to one writer connection
 * in a worker thread (sqlite-writer-worker.ts), so a group commit and its fsync run beside the event
 * loop rather than blocking it. WAL lets the readers see each commit as soon as it is done.
 * `writer: 'inline'` keeps the writes in the calling thread (simpler; blocks during commits).
 */
import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { resolveSiblingModule } from '../../common/spawn-module.js';
import type {
  AppendItem,
  BusEnvelope,
  DeadLetter,
  IdempotencyRecord,
  InboxCursor,
  MessageStore,
  NewDeadLetter,
  ReceiptOutcome,
  ReceiptUpdate,
  RetentionKind,
  StoredMessage,
} from '../contracts.js';
import { KeyFilter } from './key-filter.js';
import { encodeBatch, openDatabase, SqliteWrites, type GroupResult, type WriteOp } from './sqlite-writes.js';

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
  /** 'thread' (default): writes in a worker thread; 'inline': in the caller's thread. */
  writer?: 'thread' | 'inline';
}

/** Path of the database file inside a data directory (the `capsim dlq` command opens it too). */
export function sqlitePath(dataDir: string): string {
  return join(dataDir, 'capsim.sqlite');
}

/** Starts the writer thread; under tsx/vitest (a .ts source) it registers tsx's loader first. */
function startWriterThread(path: string, synchronous: 'full' | 'normal'): Worker {
  const entry = resolveSiblingModule(import.meta.url, './sqlite-writer-worker');
  const workerData = { path, synchronous };
  if (!entry.endsWith('.ts')) return new Worker(entry, { workerData });
  const url = JSON.stringify(pathToFileURL(entry).href);
  const code = `(async () => { const { register } = await import('tsx/esm/api'); register(); await import(${url}); })();`;
  return new Worker(code, { eval: true, workerData });
}

/** An idempotency key as the key filter knows it: sender and key, NUL-separated. */
function filterKey(senderId: string, idempotencyKey: string): string {
  return `${senderId}\u0000${idempotencyKey}`;
}

export class SqliteMessageStore implements MessageStore {
  private db: Database.Database | undefined;
  private reads!: ReturnType<SqliteMessageStore['prepare']>;
  private inline: SqliteWrites | undefined;
  private worker: Worker | undefined;
  private nextId = 1;
  /** Generation of pipelined appends (see sqlite-writer-worker.ts); advances after a failed one. */
  private appendGeneration = 0;
  /** Keys this store may hold; lets a send with a new key skip the SQLite read (key-filter.ts). */
  private readonly keyFilter = new KeyFilter();
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly options: SqliteStoreOptions) {}

  async init(): Promise<void> {
    mkdirSync(this.options.dataDir, { recursive: true });
    const path = sqlitePath(this.options.dataDir);
    const db = openDatabase(path, this.options.synchronous);
    this.db = db;
    this.reads = this.prepare(db);
    // Every stored key goes into the filter, stamped with its own server time (the retention clock).
    for (const [senderId, key, serverTs] of db
      .prepare('SELECT sender_id, idempotency_key, server_ts FROM idempotency_keys ORDER BY id')
      .raw()
      .iterate() as IterableIterator<[string, string, number]>) {
      this.keyFilter.add(filterKey(senderId, key), serverTs);
    }
    if (this.options.writer === 'inline') {
      this.inline = new SqliteWrites(db);
      return;
    }
    const worker = startWriterThread(path, this.options.synchronous);
    this.worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      this.pending.set(0, { resolve: () => resolve(), reject });
    });
    worker.on('message', (answer: { id: number; result?: unknown; error?: string }) => {
      const waiter = this.pending.get(answer.id);
      if (waiter === undefined) return;
      this.pending.delete(answer.id);
      if (answer.error !== undefined) waiter.reject(new Error(answer.error));
      else waiter.resolve(answer.result);
    });
    const fail = (error: Error) => {
      this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`SQLite writer thread exited (${code})`)));
    await ready;
  }

  /** Two appends in flight on the writer thread (one committing, one queued); inline: one. */
  get appendPipelineDepth(): number {
    return this.options.writer === 'inline' ? 1 : 2;
  }

  private write<T>(op: WriteOp, args: unknown[], generation?: number): Promise<T> {
    if (this.inline !== undefined) {
      const method = this.inline[op] as (...a: unknown[]) => unknown;
      return Promise.resolve(method.apply(this.inline, args) as T);
    }
    const worker = this.worker;
    if (worker === undefined) return Promise.reject(new Error('SQLite writer is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage(generation === undefined ? { id, op, args } : { id, op, args, generation });
    });
  }

  private prepare(db: Database.Database) {
    return {
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
      // The derived inbox (sqlite-schema.ts): each conversation the user receives, from above their
      // delivered cursor, without their own messages.
      inbox: db.prepare(
        `SELECT ${messageColumns} FROM recipients rc
         JOIN messages m ON m.conversation_id = rc.conversation_id AND m.seq > coalesce(
           (SELECT r.delivered_seq FROM receipts r WHERE r.conversation_id = rc.conversation_id AND r.user_id = rc.user_id), 0)
         WHERE rc.user_id = @user AND rc.conversation_id >= @conversation AND m.sender_id != @user
           AND (m.conversation_id, m.seq) > (@conversation, @seq)
         ORDER BY rc.conversation_id, m.seq LIMIT @limit`,
      ),
      group: db.prepare('SELECT members FROM groups WHERE conversation_id = ?').pluck(),
      listDead: db.prepare('SELECT * FROM dead_letters WHERE id > ? ORDER BY id LIMIT ?'),
      countDead: db.prepare('SELECT count(*) FROM dead_letters').pluck(),
      ping: db.prepare('SELECT 1').pluck(),
    };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker !== undefined) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await this.write('close' as WriteOp, []).catch(() => undefined);
      await exited;
    }
    this.db?.close();
    this.db = undefined;
  }

  async ping(): Promise<void> {
    if (this.db === undefined || (this.inline === undefined && this.worker === undefined)) {
      throw new Error('SQLite store is not open');
    }
    this.reads.ping.get();
  }

  appendBatch(items: readonly AppendItem[]): Promise<void> {
    // Into the filter before the write: a key must never be "absent" once it may be stored.
    for (const { message } of items)
      this.keyFilter.add(filterKey(message.senderId, message.idempotencyKey), message.serverTs);
    if (this.inline !== undefined) return this.write('appendBatch', [items]);
    const generation = this.appendGeneration;
    return this.write<void>('appendEncoded', [encodeBatch(items)], generation).catch((error: unknown) => {
      // The writer refuses the rest of this generation; appends from now on start the next one.
      this.appendGeneration = Math.max(this.appendGeneration, generation + 1);
      throw error;
    });
  }

  async maxSeq(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (const id of conversationIds) result.set(id, (this.reads.lastSeq.get(id) as number | undefined) ?? 0);
    return result;
  }

  async findIdempotent(
    keys: readonly { senderId: string; idempotencyKey: string }[],
  ): Promise<(IdempotencyRecord | undefined)[]> {
    return keys.map(({ senderId, idempotencyKey }) => this.findIdempotentSync(senderId, idempotencyKey));
  }

  findIdempotentSync(senderId: string, idempotencyKey: string): IdempotencyRecord | undefined {
    if (!this.keyFilter.mightContain(filterKey(senderId, idempotencyKey))) return undefined;
    const row = this.reads.findKey.get(senderId, idempotencyKey) as
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
  }

  async messagesAfter(conversationId: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    return (this.reads.after.all(conversationId, afterSeq, limit) as MessageRow[]).map(toMessage);
  }

  async messagesBefore(
    conversationId: string,
    beforeSeq: number | null,
    limit: number,
  ): Promise<StoredMessage[]> {
    const before = beforeSeq ?? Number.MAX_SAFE_INTEGER;
    return (this.reads.before.all(conversationId, before, limit) as MessageRow[]).map(toMessage);
  }

  async readInbox(userId: string, cursor: InboxCursor | null, limit: number): Promise<StoredMessage[]> {
    const rows = this.reads.inbox.all({
      user: userId,
      conversation: cursor?.conversationId ?? '',
      seq: cursor?.seq ?? 0,
      limit,
    });
    return (rows as MessageRow[]).map(toMessage);
  }

  applyReceipt(update: ReceiptUpdate): Promise<ReceiptOutcome> {
    return this.write('applyReceipt', [update]);
  }

  createGroup(conversationId: string, memberIds: readonly string[], nowMs: number): Promise<GroupResult> {
    return this.write('createGroup', [conversationId, memberIds, nowMs]);
  }

  async groupMembers(conversationId: string): Promise<string[] | undefined> {
    const members = this.reads.group.get(conversationId) as string | undefined;
    return members === undefined ? undefined : (JSON.parse(members) as string[]);
  }

  addDeadLetters(entries: readonly NewDeadLetter[]): Promise<void> {
    return this.write('addDeadLetters', [entries]);
  }

  async listDeadLetters(afterId: number, limit: number): Promise<DeadLetter[]> {
    const rows = this.reads.listDead.all(afterId, limit) as {
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

  removeDeadLetters(ids: readonly number[]): Promise<void> {
    return this.write('removeDeadLetters', [ids]);
  }

  async countDeadLetters(): Promise<number> {
    return this.reads.countDead.get() as number;
  }

  sweep(kind: RetentionKind, cutoffMs: number, batchSize: number): Promise<number> {
    if (kind === 'idempotency') this.keyFilter.dropOlderThan(cutoffMs);
    return this.write('sweep', [kind, cutoffMs, batchSize]);
  }
}
