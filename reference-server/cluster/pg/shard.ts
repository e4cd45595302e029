/**
 * Maps a key (conversation id, user id, sender id) to a PostgreSQL shard. FNV-1a (32 bit) is stable
 * across processes and Node versions (unlike any built-in hash) and cheap, but its low bits are weak
 * for similar keys (`dm:user1:…`, `dm:user2:…` pile up on some shards mod 8), so the result goes
 * through murmur3's 32-bit finalizer before the modulo: shard = fmix32(fnv1a(key)) mod shardCount.
 * Every instance must use the same shardCount for a database (`ensureSchema` records and checks it).
 */
export function fnv1a32(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    // Multiply by the FNV prime 16777619 with 32-bit overflow: Math.imul keeps it exact.
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's fmix32: every input bit affects every output bit (avalanche). */
export function fmix32(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export function shardOf(key: string, shardCount: number): number {
  return fmix32(fnv1a32(key)) % shardCount;
}

/** Schema name of one shard: `<namespace>_shard_00` … (two digits up to 100 shards, more beyond). */
export function shardSchema(namespace: string, shard: number, shardCount: number): string {
  const width = Math.max(2, String(shardCount - 1).length);
  return `${namespace}_shard_${String(shard).padStart(width, '0')}`;
}

/** Groups items by the shard of `keyOf(item)`, preserving each item's relative order. */
export function groupByShard<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  shardCount: number,
): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const shard = shardOf(keyOf(item), shardCount);
    const group = groups.get(shard);
    if (group === undefined) groups.set(shard, [item]);
    else group.push(item);
  }
  return groups;
}
