/**
 * The SQLite store's pipelined appends (two batches in flight on the writer thread): in call order, and
 * a batch queued behind a failed one never commits, so no seq commits above a gap.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dmAppendItem } from '../test-support/append-item.js';
import { tempDataDir } from '../test-support/server.js';
import { SqliteMessageStore } from './sqlite-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SqliteMessageStore pipelined appends', () => {
  it('refuses the batch queued behind a failed one, then commits what comes after', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const store = new SqliteMessageStore({ dataDir, synchronous: 'normal' });
    await store.init();
    try {
      expect(store.appendPipelineDepth).toBe(2);
      await store.appendBatch([dmAppendItem(1)]);
      // Both are on their way to the writer before either answer is back: seq 1 again violates the
      // (conversation, seq) key, and seq 2 behind it must not commit above that failure.
      const failing = store.appendBatch([dmAppendItem(1, { idempotencyKey: 'again' })]);
      const queued = store.appendBatch([dmAppendItem(2)]);
      await expect(failing).rejects.toThrow(/UNIQUE/);
      await expect(queued).rejects.toThrow(/earlier batch/);
      await store.appendBatch([dmAppendItem(2)]);
      const seqs = (await store.messagesAfter('dm:alice:bob', 0, 10)).map((m) => m.seq);
      expect(seqs).toEqual([1, 2]);
      expect((await store.readInbox('bob', null, 10)).map((m) => m.seq)).toEqual([1, 2]);
    } finally {
      await store.close();
    }
  });

  it('inline writer: one append at a time', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const store = new SqliteMessageStore({ dataDir, synchronous: 'normal', writer: 'inline' });
    await store.init();
    expect(store.appendPipelineDepth).toBe(1);
    await store.close();
  });
});
