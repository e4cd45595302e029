/**
 * SQLite schema of embedded mode (version 2, in PRAGMA user_version). `conversations.last_seq` is the
 * durable source of truth for sequence numbers (messages may be deleted by retention; seqs must never be
 * reused, or clients that de-duplicate by (conversationId, seq) would drop new messages).
 *
 * Laid out for the group commit, where the writer's time goes into b-tree pages:
 * - `messages` and `idempotency_keys` are rowid tables: rows are appended in commit order (one page
 *   filled after another) and found through a small unique index. Rowid order is also time order, which
 *   is what retention needs, so neither table has a time index (version 1 had row-sized primary keys at
 *   ~100 places per commit plus a time index each: ~35% more writer CPU per message).
 * - the inbox is derived, not stored per message (`recipients`).
 */
export const sqliteSchemaVersion = 2;

export const sqliteSchema = `
CREATE TABLE IF NOT EXISTS conversations (
  conversation_id TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  sender_id TEXT NOT NULL,
  sender_device_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  body TEXT NOT NULL,
  client_ts INTEGER,
  server_ts INTEGER NOT NULL,
  delivered_at INTEGER,
  read_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, seq);
CREATE INDEX IF NOT EXISTS messages_by_delivered ON messages (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_by_read ON messages (read_at) WHERE read_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS idempotency_keys (
  id INTEGER PRIMARY KEY,
  sender_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  server_ts INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idempotency_by_key ON idempotency_keys (sender_id, idempotency_key);

-- A user's inbox is every message of a conversation they receive, not sent by them, above their
-- delivered cursor (receipts.delivered_seq). A row here says "this user receives this conversation" and
-- is written once per conversation, so a group commit touches no inbox pages (version 1's inbox row per
-- message and its index were half of every commit's b-tree pages).
CREATE TABLE IF NOT EXISTS recipients (
  user_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  PRIMARY KEY (user_id, conversation_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS recipients_by_conversation ON recipients (conversation_id, user_id);

CREATE TABLE IF NOT EXISTS receipts (
  conversation_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  delivered_seq INTEGER NOT NULL,
  read_seq INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS groups (
  conversation_id TEXT PRIMARY KEY,
  members TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target_instance TEXT NOT NULL,
  envelope TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dead_letters_by_time ON dead_letters (created_at);
`;

/**
 * Version 1 → 2, step 1 (before `sqliteSchema` runs): version 1's tables move aside with their
 * indexes dropped, so the schema can create version 2's under the same names.
 */
export const setVersion1Aside = `
DROP INDEX IF EXISTS messages_by_time;
DROP INDEX IF EXISTS messages_by_delivered;
DROP INDEX IF EXISTS messages_by_read;
DROP INDEX IF EXISTS idempotency_by_time;
DROP INDEX IF EXISTS inbox_by_message;
ALTER TABLE messages RENAME TO v1_messages;
ALTER TABLE idempotency_keys RENAME TO v1_idempotency_keys;
`;

/**
 * Version 1 → 2, step 2: rows copied in time order (rowid order is time order in version 2). Whoever
 * had an inbox row, a receipt or sent a message in a conversation becomes its recipient; version 1's
 * pending inbox rows are exactly the messages above each user's delivered cursor, which is how version
 * 2 reads the inbox.
 */
export const copyVersion1 = `
INSERT INTO messages (conversation_id, seq, sender_id, sender_device_id, idempotency_key, body, client_ts, server_ts, delivered_at, read_at)
  SELECT conversation_id, seq, sender_id, sender_device_id, idempotency_key, body, client_ts, server_ts, delivered_at, read_at
  FROM v1_messages ORDER BY server_ts, conversation_id, seq;
INSERT INTO idempotency_keys (sender_id, idempotency_key, conversation_id, seq, server_ts)
  SELECT sender_id, idempotency_key, conversation_id, seq, server_ts FROM v1_idempotency_keys ORDER BY server_ts;
INSERT OR IGNORE INTO recipients (user_id, conversation_id) SELECT DISTINCT user_id, conversation_id FROM inbox;
INSERT OR IGNORE INTO recipients (user_id, conversation_id) SELECT user_id, conversation_id FROM receipts;
INSERT OR IGNORE INTO recipients (user_id, conversation_id) SELECT DISTINCT sender_id, conversation_id FROM messages;
DROP TABLE v1_messages;
DROP TABLE v1_idempotency_keys;
DROP TABLE inbox;
`;
