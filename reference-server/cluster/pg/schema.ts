/**
 * PostgreSQL layout of cluster mode: one schema per shard inside one database
 * (`<namespace>_shard_00` …), plus `<namespace>_meta` for cluster-wide tables (shard count, DLQ).
 * Keeping the shards in one database lets a write-buffer batch commit in ONE transaction across every
 * shard it touches (messages, idempotency keys, inbox rows stay consistent); moving a shard to its own
 * server is then a change of pool, not of schema. Times are integer milliseconds from the server's
 * injectable clock (not `now()`), so retention sweeps are testable without waiting.
 */
import type { Pool, PoolClient } from 'pg';
import { CapsimError, ExitCode } from '../../../common/errors.js';
import { shardSchema } from './shard.js';

export function metaSchema(namespace: string): string {
  return `${namespace}_meta`;
}

/**
 * Tables of one shard. The shard key of every table is the conversation id, except `idempotency`
 * (sender id: the lookup has only sender + key). The inbox lives beside its messages, so a batch's
 * message and inbox rows, a receipt's inbox deletion and the retention rule "no inbox row left" all stay
 * inside one shard; reading one user's inbox (once per reconnect) gathers from every shard instead.
 */
export function shardDdl(schema: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.messages (
  conversation_id text NOT NULL,
  seq bigint NOT NULL,
  sender_id text NOT NULL,
  sender_device_id text NOT NULL,
  idempotency_key text NOT NULL,
  body text NOT NULL,
  client_ts double precision,
  server_ts bigint NOT NULL,
  delivered_at bigint,
  read_at bigint,
  PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX IF NOT EXISTS messages_server_ts ON ${schema}.messages (server_ts);
CREATE INDEX IF NOT EXISTS messages_delivered_at ON ${schema}.messages (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_read_at ON ${schema}.messages (read_at) WHERE read_at IS NOT NULL;
-- Highest seq ever committed per conversation. Survives retention deleting the messages themselves,
-- so a counter recovered after a Redis loss never reuses a seq a client may have seen.
CREATE TABLE IF NOT EXISTS ${schema}.sequences (
  conversation_id text PRIMARY KEY,
  max_seq bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${schema}.inbox (
  user_id text NOT NULL,
  conversation_id text NOT NULL,
  seq bigint NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (user_id, conversation_id, seq)
);
CREATE INDEX IF NOT EXISTS inbox_message ON ${schema}.inbox (conversation_id, seq);
CREATE TABLE IF NOT EXISTS ${schema}.conversations (
  conversation_id text PRIMARY KEY,
  members text[] NOT NULL,
  created_at bigint NOT NULL
);
-- Highest seq each member acknowledged per status (a receipt covers every earlier seq).
CREATE TABLE IF NOT EXISTS ${schema}.receipts (
  conversation_id text NOT NULL,
  user_id text NOT NULL,
  delivered_seq bigint NOT NULL DEFAULT 0,
  read_seq bigint NOT NULL DEFAULT 0,
  updated_at bigint NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
);
-- shard key: sender_id
CREATE TABLE IF NOT EXISTS ${schema}.idempotency (
  sender_id text NOT NULL,
  idempotency_key text NOT NULL,
  conversation_id text NOT NULL,
  seq bigint NOT NULL,
  server_ts bigint NOT NULL,
  PRIMARY KEY (sender_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS idempotency_server_ts ON ${schema}.idempotency (server_ts);
`;
}

export function metaDdl(schema: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.settings (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS ${schema}.dlq (
  id bigserial PRIMARY KEY,
  target_instance_id text NOT NULL,
  envelope jsonb NOT NULL,
  error text NOT NULL,
  attempts integer NOT NULL,
  created_at bigint NOT NULL
);
`;
}

/**
 * Creates every schema and table (idempotent) and checks the recorded shard count: changing it on a
 * database that already holds data would silently route keys to the wrong shard.
 * Serialised with an advisory lock so several instances can start at once.
 */
export async function ensureSchema(pool: Pool, namespace: string, shardCount: number): Promise<void> {
  assertIdentifier(namespace);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [namespace]);
    try {
      await client.query(metaDdl(metaSchema(namespace)));
      const recorded = await readShardCount(client, namespace);
      if (recorded !== undefined && recorded !== shardCount) {
        throw new CapsimError(
          'E_SHARD_COUNT_MISMATCH',
          `database namespace ${namespace} was created with ${recorded} shards, not ${shardCount}`,
          {
            exitCode: ExitCode.badInput,
            problems: [
              {
                path: 'shards',
                message: 'shard count differs from the database',
                expected: String(recorded),
                found: String(shardCount),
              },
            ],
          },
        );
      }
      for (let shard = 0; shard < shardCount; shard += 1) {
        await client.query(shardDdl(shardSchema(namespace, shard, shardCount)));
      }
      if (recorded === undefined) {
        await client.query(
          `INSERT INTO ${metaSchema(namespace)}.settings (name, value) VALUES ('shards', $1)`,
          [String(shardCount)],
        );
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [namespace]);
    }
  } finally {
    client.release();
  }
}

async function readShardCount(client: PoolClient, namespace: string): Promise<number | undefined> {
  const result = await client.query<{ value: string }>(
    `SELECT value FROM ${metaSchema(namespace)}.settings WHERE name = 'shards'`,
  );
  const row = result.rows[0];
  return row === undefined ? undefined : Number(row.value);
}

/** Namespaces are interpolated into SQL as identifiers, so only a safe lowercase form is accepted. */
export function assertIdentifier(namespace: string): void {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(namespace)) {
    throw new CapsimError('E_BAD_NAMESPACE', `invalid PostgreSQL namespace ${JSON.stringify(namespace)}`, {
      exitCode: ExitCode.badInput,
      problems: [
        {
          path: 'namespace',
          message: 'not a safe schema prefix',
          expected: '[a-z_][a-z0-9_]{0,40}',
          found: namespace,
        },
      ],
    });
  }
}

/** Drops every schema of a namespace (tests, `--reset`). */
export async function dropSchema(pool: Pool, namespace: string, shardCount: number): Promise<void> {
  assertIdentifier(namespace);
  for (let shard = 0; shard < shardCount; shard += 1) {
    await pool.query(`DROP SCHEMA IF EXISTS ${shardSchema(namespace, shard, shardCount)} CASCADE`);
  }
  await pool.query(`DROP SCHEMA IF EXISTS ${metaSchema(namespace)} CASCADE`);
}
