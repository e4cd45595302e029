/**
 * Retention sweeps of seed 002 section 4 (read 3 d, delivered 7 d, undelivered 90 d, idempotency 24 h),
 * as bounded deletes: at most `limit` rows per statement (`DELETE … WHERE ctid IN (SELECT … LIMIT n)`),
 * so a sweep never holds long locks or builds a huge transaction.
 */
import type { RetentionKind } from '../../contracts.js';

/** SQL deleting at most $2 expired rows of `kind` in one shard schema ($1 = cut-off ms); returns rows. */
export function sweepStatement(kind: Exclude<RetentionKind, 'deadLetters'>, schema: string): string {
  switch (kind) {
    case 'read':
    case 'delivered': {
      const column = kind === 'read' ? 'read_at' : 'delivered_at';
      // Only messages nobody still waits for: no inbox row left (a group member may not have it yet).
      return `DELETE FROM ${schema}.messages WHERE ctid IN (
        SELECT m.ctid FROM ${schema}.messages m
        WHERE m.${column} < $1 AND NOT EXISTS (
          SELECT 1 FROM ${schema}.inbox i WHERE i.conversation_id = m.conversation_id AND i.seq = m.seq)
        LIMIT $2)`;
    }
    case 'undelivered':
      // Everything older than the longest TTL goes, with any inbox rows still pointing at it.
      return `WITH doomed AS (
          SELECT conversation_id, seq FROM ${schema}.messages WHERE server_ts < $1 LIMIT $2),
        inbox_gone AS (
          DELETE FROM ${schema}.inbox i USING doomed d WHERE i.conversation_id = d.conversation_id AND i.seq = d.seq)
        DELETE FROM ${schema}.messages m USING doomed d WHERE m.conversation_id = d.conversation_id AND m.seq = d.seq`;
    case 'idempotency':
      return `DELETE FROM ${schema}.idempotency WHERE ctid IN (
        SELECT ctid FROM ${schema}.idempotency WHERE server_ts < $1 LIMIT $2)`;
  }
}

export function deadLetterSweepStatement(meta: string): string {
  return `DELETE FROM ${meta}.dlq WHERE id IN (SELECT id FROM ${meta}.dlq WHERE created_at < $1 ORDER BY id LIMIT $2)`;
}
