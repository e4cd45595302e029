/**
 * Maps a key (conversation id, user id, sender id) to a PostgreSQL shard. FNV-1a (32 bit) is stable
 * across processes and Node versions (unlike any built-in hash), cheap, and spreads short ids well;
 * shard = fnv1a(key) mod shardCount. Every instance must use the same shardCount for a database,
 * which `ensureSchema` records in the meta table and checks.
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

export function shardOf(key: string, shardCount: number): number {
  return fnv1a32(key) % shardCount;
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
