/**
 * SQLite schema of embedded mode. `conversations.last_seq` is the durable source of truth for sequence
 * numbers (messages may be deleted by retention; seqs must never be reused, or clients that de-duplicate
 * by (conversationId, seq) would drop new messages).
 */
export const sqliteSchema = `
CREATE TABLE IF NOT EXISTS conversations (
  conversation_id TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS messages (
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  sender_id TEXT NOT NULL,
  sender_device_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  body TEXT NOT NULL,
  client_ts INTEGER,
  server_ts INTEGER NOT NULL,
  delivered_at INTEGER,
  read_at INTEGER,
  PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_by_time ON messages (server_ts);
CREATE INDEX IF NOT EXISTS messages_by_delivered ON messages (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_by_read ON messages (read_at) WHERE read_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS idempotency_keys (
  sender_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  server_ts INTEGER NOT NULL,
  PRIMARY KEY (sender_id, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_by_time ON idempotency_keys (server_ts);

CREATE TABLE IF NOT EXISTS inbox (
  user_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (user_id, conversation_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inbox_by_message ON inbox (conversation_id, seq);

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
