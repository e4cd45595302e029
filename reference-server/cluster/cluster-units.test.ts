/** Pure parts of cluster mode (no Redis or PostgreSQL needed). */
import { describe, expect, it } from 'vitest';
import { CapsimError } from '../../common/errors.js';
import { namespaceFromPrefix } from './adapters.js';
import { startCluster } from './index.js';
import { buildAppendStatement } from './pg/append-batch.js';
import { fnv1a32, groupByShard, shardOf, shardSchema } from './pg/shard.js';
import { redisKeys } from './redis/keys.js';

describe('shard routing', () => {
  it('uses FNV-1a 32-bit, stable across processes and versions', () => {
    // Published FNV-1a test vectors.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('spreads conversations evenly over the shards', () => {
    const counts = new Array<number>(8).fill(0);
    for (let index = 0; index < 16_000; index += 1)
      counts[shardOf(`dm:user${index}:user${index + 7}`, 8)]! += 1;
    // 2,000 expected per shard; a fair hash stays well within ±15 %.
    for (const count of counts) expect(Math.abs(count - 2000)).toBeLessThan(300);
  });

  it('names shard schemas with fixed-width numbers and groups items by shard', () => {
    expect(shardSchema('capsim', 3, 8)).toBe('capsim_shard_03');
    expect(shardSchema('capsim', 7, 128)).toBe('capsim_shard_007');
    const groups = groupByShard(['a', 'b', 'c', 'a'], (key) => key, 4);
    expect([...groups.values()].flat().sort()).toEqual(['a', 'a', 'b', 'c']);
    expect(groups.get(shardOf('a', 4))!.filter((key) => key === 'a')).toHaveLength(2);
  });
});

describe('names', () => {
  it('derives a safe PostgreSQL namespace from the Redis prefix', () => {
    expect(namespaceFromPrefix('capsim:')).toBe('capsim');
    expect(namespaceFromPrefix('Capsim-Test-1a:')).toBe('capsim_test_1a');
    expect(namespaceFromPrefix('1x:')).toBe('c_1x');
  });

  it('keeps every Redis key under the prefix', () => {
    const keys = redisKeys('p1:');
    for (const key of [
      keys.sequence('dm:a:b'),
      keys.connections('u'),
      keys.presence('u'),
      keys.instanceChannel('gw-1'),
    ]) {
      expect(key.startsWith('p1:')).toBe(true);
    }
  });
});

describe('append statement', () => {
  it('writes a batch as one statement with one multi-row insert per shard and table', () => {
    const message = (conversationId: string, seq: number, senderId: string) => ({
      conversationId,
      seq,
      messageId: `${conversationId}#${seq}`,
      senderId,
      senderDeviceId: 'd',
      idempotencyKey: `k${seq}`,
      body: 'b',
      clientTs: null,
      serverTs: 1,
    });
    const items = [
      { message: message('dm:a:b', 1, 'a'), inboxUserIds: ['b'] },
      { message: message('dm:a:b', 2, 'b'), inboxUserIds: ['a'] },
      { message: message('g:x', 1, 'a'), inboxUserIds: ['b', 'c'] },
    ];
    const statement = buildAppendStatement(items, 'capsim', 4, 86_400_000);
    const conversationShards = new Set(['dm:a:b', 'g:x'].map((id) => shardOf(id, 4)));
    const senderShards = new Set(['a', 'b'].map((id) => shardOf(id, 4)));
    expect(statement.text.match(/INSERT INTO \S+\.messages/g)).toHaveLength(conversationShards.size);
    expect(statement.text.match(/INSERT INTO \S+\.idempotency/g)).toHaveLength(senderShards.size);
    expect([...statement.expectedIdempotencyRows.values()].reduce((a, b) => a + b, 0)).toBe(3);
    // Values are arrays (one parameter per column, whatever the batch size), plus one TTL per sender shard.
    expect(statement.values.every((value) => Array.isArray(value) || typeof value === 'number')).toBe(true);
  });
});

describe('startCluster', () => {
  it('rejects a bad instance or shard count before touching any service', async () => {
    const base = { redisUrl: 'redis://127.0.0.1:1', postgresUrl: 'postgres://nobody@127.0.0.1:1/x' };
    await expect(startCluster({ ...base, instances: 0 })).rejects.toMatchObject({ code: 'E_BAD_INSTANCES' });
    await expect(startCluster({ ...base, instances: 2, shards: 0 })).rejects.toBeInstanceOf(CapsimError);
  });

  it('reports an unreachable PostgreSQL as a CapsimError, not a stack trace', async () => {
    await expect(
      startCluster({
        redisUrl: 'redis://127.0.0.1:1',
        postgresUrl: 'postgres://nobody@127.0.0.1:1/x',
        instances: 1,
      }),
    ).rejects.toMatchObject({ code: 'E_POSTGRES_UNAVAILABLE' });
  });
});
