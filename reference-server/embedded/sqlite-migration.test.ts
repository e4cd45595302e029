/**
 * A data directory written by capsim before schema version 2 (an inbox row per message, row-keyed
 * message and key tables) opens with nothing lost: pending inbox, history, idempotency and seqs.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dmAppendItem } from '../test-support/append-item.js';
import { tempDataDir } from '../test-support/server.js';
import { sqlitePath, SqliteMessageStore } from './sqlite-store.js';
import { openDatabase } from './sqlite-writes.js';

/** Version 1's tables, as that release created them (frozen here; the product no longer has them). */
const version1Schema = `
CREATE TABLE conversations (conversation_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE messages (
  conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, sender_id TEXT NOT NULL, sender_device_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL, body TEXT NOT NULL, client_ts INTEGER, server_ts INTEGER NOT NULL,
  delivered_at INTEGER, read_at INTEGER, PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
CREATE INDEX messages_by_time ON messages (server_ts);
CREATE INDEX messages_by_delivered ON messages (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX messages_by_read ON messages (read_at) WHERE read_at IS NOT NULL;
CREATE TABLE idempotency_keys (
  sender_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, conversation_id TEXT NOT NULL, seq INTEGER NOT NULL,
  server_ts INTEGER NOT NULL, PRIMARY KEY (sender_id, idempotency_key)) WITHOUT ROWID;
CREATE INDEX idempotency_by_time ON idempotency_keys (server_ts);
CREATE TABLE inbox (user_id TEXT NOT NULL, conversation_id TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (user_id, conversation_id, seq)) WITHOUT ROWID;
CREATE INDEX inbox_by_message ON inbox (conversation_id, seq);
CREATE TABLE receipts (conversation_id TEXT NOT NULL, user_id TEXT NOT NULL, delivered_seq INTEGER NOT NULL,
  read_seq INTEGER NOT NULL, PRIMARY KEY (conversation_id, user_id)) WITHOUT ROWID;
CREATE TABLE groups (conversation_id TEXT PRIMARY KEY, members TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, target_instance TEXT NOT NULL, envelope TEXT NOT NULL,
  error TEXT NOT NULL, attempts INTEGER NOT NULL, created_at INTEGER NOT NULL);
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** alice sent 1–3 to bob (bob receipted 1, so his inbox held 2 and 3) and carol sent 1 to alice. */
function writeVersion1(dataDir: string): void {
  const db = new Database(sqlitePath(dataDir));
  db.exec(version1Schema);
  const message = db.prepare(
    `INSERT INTO messages (conversation_id, seq, sender_id, sender_device_id, idempotency_key, body, client_ts, server_ts, delivered_at)
     VALUES (?, ?, ?, 'phone', ?, ?, NULL, ?, ?)`,
  );
  const key = db.prepare('INSERT INTO idempotency_keys VALUES (?, ?, ?, ?, ?)');
  for (const seq of [1, 2, 3]) {
    message.run(
      'dm:alice:bob',
      seq,
      'alice',
      `k${seq}`,
      `hello ${seq}`,
      1_000 + seq,
      seq === 1 ? 2_000 : null,
    );
    key.run('alice', `k${seq}`, 'dm:alice:bob', seq, 1_000 + seq);
  }
  message.run('dm:alice:carol', 1, 'carol', 'c1', 'hi alice', 1_010, null);
  key.run('carol', 'c1', 'dm:alice:carol', 1, 1_010);
  db.exec(`INSERT INTO inbox VALUES ('bob', 'dm:alice:bob', 2), ('bob', 'dm:alice:bob', 3), ('alice', 'dm:alice:carol', 1);
    INSERT INTO receipts VALUES ('dm:alice:bob', 'bob', 1, 0);
    INSERT INTO conversations VALUES ('dm:alice:bob', 3), ('dm:alice:carol', 1);`);
  db.close();
}

describe('SQLite schema version 1 → 2', () => {
  it('keeps every pending inbox message, the history, the idempotency keys and the seqs', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    writeVersion1(dataDir);
    const store = new SqliteMessageStore({ dataDir, synchronous: 'normal' });
    await store.init();
    try {
      const inboxOf = async (user: string) =>
        (await store.readInbox(user, null, 100)).map((m) => `${m.conversationId}#${m.seq}`);
      expect(await inboxOf('bob')).toEqual(['dm:alice:bob#2', 'dm:alice:bob#3']);
      expect(await inboxOf('alice')).toEqual(['dm:alice:carol#1']);
      expect(await inboxOf('carol')).toEqual([]);
      expect((await store.messagesAfter('dm:alice:bob', 0, 10)).map((m) => m.body)).toEqual([
        'hello 1',
        'hello 2',
        'hello 3',
      ]);
      expect(store.findIdempotentSync('alice', 'k2')).toMatchObject({
        conversationId: 'dm:alice:bob',
        seq: 2,
      });
      expect((await store.maxSeq(['dm:alice:bob'])).get('dm:alice:bob')).toBe(3);

      // The migrated store keeps working: a new message joins bob's inbox, a receipt drains it.
      await store.appendBatch([dmAppendItem(4, { body: 'hello 4', serverTs: 5_000 })]);
      expect(await inboxOf('bob')).toEqual(['dm:alice:bob#2', 'dm:alice:bob#3', 'dm:alice:bob#4']);
      await store.applyReceipt({
        conversationId: 'dm:alice:bob',
        userId: 'bob',
        seq: 3,
        status: 'delivered',
        atMs: 6_000,
      });
      expect(await inboxOf('bob')).toEqual(['dm:alice:bob#4']);
    } finally {
      await store.close();
    }
    const db = openDatabase(sqlitePath(dataDir), 'normal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain('inbox');
    expect(tables).not.toContain('v1_messages');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });
});
