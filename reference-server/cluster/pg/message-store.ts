/**
 * MessageStore on PostgreSQL, sharded by conversation hash across `shards` schemas of one database
 * (see schema.ts for the layout and why). A write-buffer batch is one statement (append-batch.ts);
 * reads go to the one shard of their conversation, except a user's inbox, gathered from every shard.
 */
import pg from 'pg';
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
} from '../../contracts.js';
import { buildAppendStatement } from './append-batch.js';
import { deadLetterSweepStatement, sweepStatement } from './retention.js';
import { messageColumns, toDeadLetter, toMessage, type DeadLetterRow, type MessageRow } from './rows.js';
import { ensureSchema, metaSchema } from './schema.js';
import { groupByShard, shardOf, shardSchema } from './shard.js';

export interface PostgresMessageStoreOptions {
  pool: pg.Pool;
  /** Schema prefix: shards are `<namespace>_shard_NN`, cluster-wide tables `<namespace>_meta`. */
  namespace: string;
  shards: number;
  /** Idempotency window (24 h): an older leftover key may be reused before the sweep removes it. */
  idempotencyMs?: number;
  /** Close the pool on close() (true when the store created it). */
  ownsPool?: boolean;
}

type IdempotencyKey = { senderId: string; idempotencyKey: string };

/**
 * An error PostgreSQL reported (DatabaseError: constraint, timeout, …) or one we raised after a good
 * reply leaves the connection usable; anything else (socket closed, protocol trouble) may have broken
 * it, so it is destroyed on release instead of going back to the pool.
 */
function connectionLost(error: unknown): Error | undefined {
  if (error instanceof pg.DatabaseError || error instanceof DuplicateIdempotencyKeyError) return undefined;
  return error instanceof Error ? error : new Error(String(error));
}

/** Raised when a batch re-used a live idempotency key (a concurrent duplicate send): the batch is rolled back. */
export class DuplicateIdempotencyKeyError extends Error {
  override readonly name = 'DuplicateIdempotencyKeyError';
  /** PostgreSQL is healthy: the gateway's storage breaker must not count this (gateway/resilience.ts). */
  readonly breakerNeutral = true;
}

/** A seq already committed (stale counter after a Redis loss): the batch is retried with fresh seqs. */
export class SequenceCollisionError extends Error {
  override readonly name = 'SequenceCollisionError';
  readonly breakerNeutral = true;
}

export class PostgresMessageStore implements MessageStore {
  private readonly pool: pg.Pool;
  private readonly namespace: string;
  private readonly shards: number;
  private readonly idempotencyMs: number;
  private readInboxText: string | undefined;
  private pendingIdempotency: {
    keys: readonly IdempotencyKey[];
    resolve: (records: (IdempotencyRecord | undefined)[]) => void;
    reject: (error: Error) => void;
  }[] = [];
  /** Statements run by appendBatch (one per flush): storage transactions for metrics and benches. */
  batchesCommitted = 0;

  constructor(private readonly options: PostgresMessageStoreOptions) {
    this.pool = options.pool;
    this.namespace = options.namespace;
    this.shards = options.shards;
    this.idempotencyMs = options.idempotencyMs ?? 86_400_000;
  }

  private schemaOf(key: string): string {
    return shardSchema(this.namespace, shardOf(key, this.shards), this.shards);
  }

  private allSchemas(): string[] {
    return Array.from({ length: this.shards }, (_, shard) => shardSchema(this.namespace, shard, this.shards));
  }

  async init(): Promise<void> {
    await ensureSchema(this.pool, this.namespace, this.shards);
  }

  async close(): Promise<void> {
    if (this.options.ownsPool) await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async appendBatch(items: readonly AppendItem[]): Promise<void> {
    if (items.length === 0) return;
    const statement = buildAppendStatement(items, this.namespace, this.shards, this.idempotencyMs);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await client.query<Record<string, number>>(statement.text, statement.values);
      const row = result.rows[0] ?? {};
      for (const [name, expected] of statement.expectedIdempotencyRows) {
        if (row[name] !== expected) {
          throw new DuplicateIdempotencyKeyError(
            `a live idempotency key was re-used in this batch (${name})`,
          );
        }
      }
      await client.query('COMMIT');
      this.batchesCommitted += 1;
    } catch (error) {
      broken = connectionLost(error);
      if (broken === undefined) await client.query('ROLLBACK').catch(() => undefined);
      // 23505 unique_violation on the messages primary key: two allocations handed out the same seq.
      if (
        (error as { code?: string }).code === '23505' &&
        /messages_pkey/.test((error as { constraint?: string }).constraint ?? '')
      ) {
        throw new SequenceCollisionError(
          `a seq in this batch is already committed: ${(error as Error).message}`,
        );
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async maxSeq(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>(conversationIds.map((id) => [id, 0]));
    for (const [shard, ids] of groupByShard(conversationIds, (id) => id, this.shards)) {
      const schema = shardSchema(this.namespace, shard, this.shards);
      const rows = await this.pool.query<{ conversation_id: string; max_seq: string }>({
        name: `capsim_maxseq_${schema}`,
        text: `SELECT conversation_id, max_seq FROM ${schema}.sequences WHERE conversation_id = ANY($1::text[])`,
        values: [ids],
      });
      for (const row of rows.rows) result.set(row.conversation_id, Number(row.max_seq));
    }
    return result;
  }

  /**
   * The gateway asks once per send. Lookups requested in the same event-loop turn are coalesced into
   * one query per shard (under load, hundreds of sends share a round trip instead of queueing for the
   * pool one by one).
   */
  findIdempotent(keys: readonly IdempotencyKey[]): Promise<(IdempotencyRecord | undefined)[]> {
    return new Promise((resolve, reject) => {
      this.pendingIdempotency.push({ keys, resolve, reject });
      if (this.pendingIdempotency.length === 1) setImmediate(() => void this.flushIdempotency());
    });
  }

  private async flushIdempotency(): Promise<void> {
    const waiting = this.pendingIdempotency;
    this.pendingIdempotency = [];
    try {
      const all = await this.lookupIdempotent(waiting.flatMap((request) => request.keys));
      let offset = 0;
      for (const request of waiting) {
        request.resolve(all.slice(offset, offset + request.keys.length));
        offset += request.keys.length;
      }
    } catch (error) {
      for (const request of waiting) request.reject(error as Error);
    }
  }

  private async lookupIdempotent(
    keys: readonly IdempotencyKey[],
  ): Promise<(IdempotencyRecord | undefined)[]> {
    const found = new Map<string, IdempotencyRecord>();
    const lookupKey = (senderId: string, idempotencyKey: string): string =>
      `${senderId}\u0000${idempotencyKey}`;
    for (const [shard, group] of groupByShard(keys, (key) => key.senderId, this.shards)) {
      const schema = shardSchema(this.namespace, shard, this.shards);
      const rows = await this.pool.query<{
        sender_id: string;
        idempotency_key: string;
        conversation_id: string;
        seq: string;
        server_ts: string;
      }>({
        name: `capsim_idem_${schema}`,
        text: `SELECT k.sender_id, k.idempotency_key, k.conversation_id, k.seq, k.server_ts
         FROM ${schema}.idempotency k JOIN unnest($1::text[], $2::text[]) AS d(u, k) ON k.sender_id = d.u AND k.idempotency_key = d.k`,
        values: [group.map((key) => key.senderId), group.map((key) => key.idempotencyKey)],
      });
      for (const row of rows.rows) {
        const seq = Number(row.seq);
        found.set(lookupKey(row.sender_id, row.idempotency_key), {
          senderId: row.sender_id,
          idempotencyKey: row.idempotency_key,
          conversationId: row.conversation_id,
          seq,
          messageId: `${row.conversation_id}#${seq}`,
          serverTs: Number(row.server_ts),
        });
      }
    }
    return keys.map((key) => found.get(lookupKey(key.senderId, key.idempotencyKey)));
  }

  async messagesAfter(conversationId: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    const schema = this.schemaOf(conversationId);
    const rows = await this.pool.query<MessageRow>({
      name: `capsim_after_${schema}`,
      text: `SELECT ${messageColumns()} FROM ${schema}.messages
       WHERE conversation_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`,
      values: [conversationId, afterSeq, limit],
    });
    return rows.rows.map(toMessage);
  }

  async messagesBefore(
    conversationId: string,
    beforeSeq: number | null,
    limit: number,
  ): Promise<StoredMessage[]> {
    const rows = await this.pool.query<MessageRow>(
      `SELECT ${messageColumns()} FROM ${this.schemaOf(conversationId)}.messages
       WHERE conversation_id = $1 AND ($2::int8 IS NULL OR seq < $2::int8) ORDER BY seq DESC LIMIT $3`,
      [conversationId, beforeSeq, limit],
    );
    return rows.rows.map(toMessage);
  }

  async readInbox(userId: string, cursor: InboxCursor | null, limit: number): Promise<StoredMessage[]> {
    // A named (prepared) statement: planning an N-way UNION costs more than running it (~5 ms vs
    // ~0.5 ms at 8 shards), and this runs on every connect.
    const rows = await this.pool.query<MessageRow>({
      name: `capsim_read_inbox_${this.namespace}`,
      text: (this.readInboxText ??= this.buildReadInboxText()),
      values: [userId, cursor?.conversationId ?? null, cursor?.seq ?? 0, limit],
    });
    return rows.rows.map(toMessage);
  }

  /**
   * Scatter-gather: each shard contributes its first `limit` rows after the cursor, in key order; the
   * outer ORDER BY/LIMIT merges them. Once per reconnect, so N index probes are affordable.
   */
  private buildReadInboxText(): string {
    const parts = this.allSchemas().map(
      (schema) => `(SELECT ${messageColumns('m')} FROM ${schema}.inbox i
        JOIN ${schema}.messages m ON m.conversation_id = i.conversation_id AND m.seq = i.seq
        WHERE i.user_id = $1 AND ($2::text IS NULL OR (i.conversation_id, i.seq) > ($2::text, $3::int8))
        ORDER BY i.conversation_id, i.seq LIMIT $4)`,
    );
    return `SELECT * FROM (${parts.join(' UNION ALL ')}) AS gathered ORDER BY conversation_id, seq LIMIT $4`;
  }

  async applyReceipt(update: ReceiptUpdate): Promise<ReceiptOutcome> {
    const schema = this.schemaOf(update.conversationId);
    const isRead = update.status === 'read';
    // One statement (one shard, atomic). `read` implies `delivered`. Messages are stamped only in the
    // range newly covered, (previous receipt seq, seq], so a long conversation is not rescanned.
    const rows = await this.pool.query<{
      prev_delivered: string | null;
      prev_read: string | null;
      sender_id: string | null;
    }>({
      name: `capsim_receipt_${schema}`,
      text: `WITH prev AS (
         SELECT delivered_seq, read_seq FROM ${schema}.receipts WHERE conversation_id = $1 AND user_id = $2),
       upsert AS (
         INSERT INTO ${schema}.receipts AS r (conversation_id, user_id, delivered_seq, read_seq, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET
           delivered_seq = GREATEST(r.delivered_seq, EXCLUDED.delivered_seq),
           read_seq = GREATEST(r.read_seq, EXCLUDED.read_seq), updated_at = EXCLUDED.updated_at),
       inbox_gone AS (
         DELETE FROM ${schema}.inbox WHERE user_id = $2 AND conversation_id = $1 AND seq <= $3),
       stamped AS (
         UPDATE ${schema}.messages SET
           delivered_at = COALESCE(delivered_at, $5),
           read_at = CASE WHEN $6::bool THEN COALESCE(read_at, $5) ELSE read_at END
         WHERE conversation_id = $1 AND sender_id <> $2 AND seq <= $3
           AND seq > LEAST(COALESCE((SELECT delivered_seq FROM prev), 0),
                           CASE WHEN $6::bool THEN COALESCE((SELECT read_seq FROM prev), 0) ELSE $3 END)
           AND (delivered_at IS NULL OR ($6::bool AND read_at IS NULL)))
       SELECT (SELECT delivered_seq FROM prev) AS prev_delivered, (SELECT read_seq FROM prev) AS prev_read,
         (SELECT sender_id FROM ${schema}.messages WHERE conversation_id = $1 AND seq = $3) AS sender_id`,
      values: [
        update.conversationId,
        update.userId,
        update.seq,
        isRead ? update.seq : 0,
        update.atMs,
        isRead,
      ],
    });
    const row = rows.rows[0];
    const previous = Number((isRead ? row?.prev_read : row?.prev_delivered) ?? 0);
    return { advanced: update.seq > previous, senderId: row?.sender_id ?? null };
  }

  async createGroup(
    conversationId: string,
    memberIds: readonly string[],
    nowMs: number,
  ): Promise<'created' | 'exists' | 'conflict'> {
    const schema = this.schemaOf(conversationId);
    const members = [...new Set(memberIds)].sort();
    const inserted = await this.pool.query(
      `INSERT INTO ${schema}.conversations (conversation_id, members, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (conversation_id) DO NOTHING RETURNING 1`,
      [conversationId, members, nowMs],
    );
    if (inserted.rowCount === 1) return 'created';
    const existing = await this.groupMembers(conversationId);
    const same =
      existing !== undefined &&
      existing.length === members.length &&
      [...existing].sort().every((id, index) => id === members[index]);
    return same ? 'exists' : 'conflict';
  }

  async groupMembers(conversationId: string): Promise<string[] | undefined> {
    const rows = await this.pool.query<{ members: string[] }>(
      `SELECT members FROM ${this.schemaOf(conversationId)}.conversations WHERE conversation_id = $1`,
      [conversationId],
    );
    return rows.rows[0]?.members;
  }

  async addDeadLetters(entries: readonly NewDeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    await this.pool.query(
      `INSERT INTO ${metaSchema(this.namespace)}.dlq (target_instance_id, envelope, error, attempts, created_at)
       SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::int4[], $5::int8[])`,
      [
        entries.map((entry) => entry.targetInstanceId),
        entries.map((entry) => JSON.stringify(entry.envelope)),
        entries.map((entry) => entry.error),
        entries.map((entry) => entry.attempts),
        entries.map((entry) => entry.createdAtMs),
      ],
    );
  }

  async listDeadLetters(afterId: number, limit: number): Promise<DeadLetter[]> {
    const rows = await this.pool.query<DeadLetterRow>(
      `SELECT id, target_instance_id, envelope, error, attempts, created_at FROM ${metaSchema(this.namespace)}.dlq
       WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.rows.map(toDeadLetter);
  }

  async removeDeadLetters(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(`DELETE FROM ${metaSchema(this.namespace)}.dlq WHERE id = ANY($1::int8[])`, [ids]);
  }

  async countDeadLetters(): Promise<number> {
    const rows = await this.pool.query<{ count: string }>(
      `SELECT count(*) FROM ${metaSchema(this.namespace)}.dlq`,
    );
    return Number(rows.rows[0]?.count ?? 0);
  }

  /**
   * Every instance runs the retention timer against the same database; a transaction-scoped advisory
   * lock per kind lets one of them sweep while the others skip (return 0, which ends their loop) instead
   * of all deleting the same rows and waiting on each other's row locks.
   */
  async sweep(kind: RetentionKind, cutoffMs: number, batchSize: number): Promise<number> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [`${this.namespace}:sweep:${kind}`],
      );
      if (lock.rows[0]?.locked !== true) {
        await client.query('ROLLBACK');
        return 0;
      }
      let deleted = 0;
      if (kind === 'deadLetters') {
        const result = await client.query(deadLetterSweepStatement(metaSchema(this.namespace)), [
          cutoffMs,
          batchSize,
        ]);
        deleted = result.rowCount ?? 0;
      } else {
        // Up to batchSize rows in total, taken shard by shard (each statement bounded by what is left).
        for (const schema of this.allSchemas()) {
          const remaining = batchSize - deleted;
          if (remaining <= 0) break;
          const result = await client.query(sweepStatement(kind, schema), [cutoffMs, remaining]);
          deleted += result.rowCount ?? 0;
        }
      }
      await client.query('COMMIT');
      return deleted;
    } catch (error) {
      broken = connectionLost(error);
      if (broken === undefined) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
