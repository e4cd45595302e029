/**
 * One write-buffer flush as ONE SQL statement: data-modifying CTEs insert the messages, inbox rows and
 * sequence high-water marks of every conversation shard and the idempotency keys of every sender shard,
 * each as a multi-row INSERT fed by `unnest` over array parameters (one round trip, no 65,535-parameter
 * limit, a single commit). Seed 001: "Batch 100 messages = 1 DB transaction".
 */
import type { AppendItem } from '../../contracts.js';
import { groupByShard, shardSchema } from './shard.js';

export interface AppendStatement {
  text: string;
  values: unknown[];
  /** Expected row counts of the idempotency inserts (by CTE name) to detect a live duplicate key. */
  expectedIdempotencyRows: Map<string, number>;
}

export function buildAppendStatement(
  items: readonly AppendItem[],
  namespace: string,
  shardCount: number,
  idempotencyMs: number,
): AppendStatement {
  const values: unknown[] = [];
  const param = (value: unknown, type: string): string => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  /** `unnest` arguments: one typed array parameter per column, picked from `rows` in column order. */
  const unnestColumns = <Row>(rows: readonly Row[], columns: [(row: Row) => unknown, string][]): string =>
    columns.map(([pick, type]) => param(rows.map(pick), type)).join(', ');
  const ctes: string[] = [];
  const expectedIdempotencyRows = new Map<string, number>();

  for (const [shard, group] of groupByShard(items, (item) => item.message.conversationId, shardCount)) {
    const schema = shardSchema(namespace, shard, shardCount);
    const m = group.map((item) => item.message);
    ctes.push(`m${shard} AS (INSERT INTO ${schema}.messages
      (conversation_id, seq, sender_id, sender_device_id, idempotency_key, body, client_ts, server_ts)
      SELECT * FROM unnest(${unnestColumns(m, [
        [(x) => x.conversationId, 'text[]'],
        [(x) => x.seq, 'int8[]'],
        [(x) => x.senderId, 'text[]'],
        [(x) => x.senderDeviceId, 'text[]'],
        [(x) => x.idempotencyKey, 'text[]'],
        [(x) => x.body, 'text[]'],
        [(x) => x.clientTs, 'float8[]'],
        [(x) => x.serverTs, 'int8[]'],
      ])}))`);

    const inboxUsers: string[] = [];
    const inboxConversations: string[] = [];
    const inboxSeqs: number[] = [];
    const inboxCreated: number[] = [];
    for (const item of group) {
      for (const userId of item.inboxUserIds) {
        inboxUsers.push(userId);
        inboxConversations.push(item.message.conversationId);
        inboxSeqs.push(item.message.seq);
        inboxCreated.push(item.message.serverTs);
      }
    }
    if (inboxUsers.length > 0) {
      ctes.push(`i${shard} AS (INSERT INTO ${schema}.inbox (user_id, conversation_id, seq, created_at)
        SELECT * FROM unnest(${param(inboxUsers, 'text[]')}, ${param(inboxConversations, 'text[]')},
          ${param(inboxSeqs, 'int8[]')}, ${param(inboxCreated, 'int8[]')})
        ON CONFLICT DO NOTHING)`);
    }

    // One row per conversation (an upsert may not touch the same row twice in one statement).
    const highest = new Map<string, number>();
    for (const x of m) highest.set(x.conversationId, Math.max(highest.get(x.conversationId) ?? 0, x.seq));
    ctes.push(`s${shard} AS (INSERT INTO ${schema}.sequences AS t (conversation_id, max_seq)
      SELECT * FROM unnest(${param([...highest.keys()], 'text[]')}, ${param([...highest.values()], 'int8[]')})
      ON CONFLICT (conversation_id) DO UPDATE SET max_seq = GREATEST(t.max_seq, EXCLUDED.max_seq))`);
  }

  for (const [shard, group] of groupByShard(items, (item) => item.message.senderId, shardCount)) {
    const schema = shardSchema(namespace, shard, shardCount);
    const m = group.map((item) => item.message);
    // A key left over past its 24 h window (retention not swept yet) is replaced; a live one is not,
    // and the missing RETURNING row makes appendBatch fail the batch instead of storing a duplicate.
    const name = `k${shard}`;
    expectedIdempotencyRows.set(name, m.length);
    ctes.push(`${name} AS (INSERT INTO ${schema}.idempotency AS t
      (sender_id, idempotency_key, conversation_id, seq, server_ts)
      SELECT * FROM unnest(${unnestColumns(m, [
        [(x) => x.senderId, 'text[]'],
        [(x) => x.idempotencyKey, 'text[]'],
        [(x) => x.conversationId, 'text[]'],
        [(x) => x.seq, 'int8[]'],
        [(x) => x.serverTs, 'int8[]'],
      ])})
      ON CONFLICT (sender_id, idempotency_key) DO UPDATE
        SET conversation_id = EXCLUDED.conversation_id, seq = EXCLUDED.seq, server_ts = EXCLUDED.server_ts
        WHERE t.server_ts < EXCLUDED.server_ts - ${param(idempotencyMs, 'int8')}
      RETURNING 1)`);
  }

  const counts = [...expectedIdempotencyRows.keys()].map(
    (name) => `(SELECT count(*) FROM ${name})::int AS ${name}`,
  );
  const text = `WITH ${ctes.join(',\n')}\nSELECT ${counts.length > 0 ? counts.join(', ') : '1 AS ok'}`;
  return { text, values, expectedIdempotencyRows };
}
