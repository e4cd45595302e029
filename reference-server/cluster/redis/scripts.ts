/**
 * Lua scripts run atomically inside Redis (registered with ioredis `defineCommand`, so they are sent
 * by SHA after the first call). Each states its KEYS/ARGV and what it returns.
 */

/**
 * Reserves ARGV[1] consecutive sequence numbers (INCRBY) and returns the LAST one, or -1 when the
 * counter is missing (never used, expired, invalidated, or lost with Redis): the caller then seeds it
 * from PostgreSQL's max(seq) and retries, so the database stays the source of truth. The TTL is
 * refreshed on every use; an idle conversation's counter may expire safely since it is recovered.
 * KEYS[1] counter; ARGV[1] count; ARGV[2] ttlMs.
 */
export const sequenceNextScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return value
`;

/**
 * Seeds a missing counter with the database's max(seq), then reserves like the script above. When
 * another instance seeded it meanwhile, its value stands (SET NX): it may already cover allocations
 * that are not committed yet. A value below the database max (impossible unless someone edited Redis)
 * is raised to it. Should a stale seed still collide with an in-flight seq, the messages table's
 * primary key (conversation_id, seq) rejects the batch, the gateway invalidates and retries: a seq is
 * never issued twice to committed messages.
 * KEYS[1] counter; ARGV[1] database max(seq); ARGV[2] count; ARGV[3] ttlMs. Returns the last reserved.
 */
export const sequenceSeedAndNextScript = `
local current = redis.call('GET', KEYS[1])
if current == false or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
local value = redis.call('INCRBY', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return value
`;

/**
 * Sliding-window log (doc 001: "Redis Sorted Sets for sliding window"): drop entries older than the
 * window, count, admit when count < limit.
 * KEYS[1] sorted set; ARGV[1] nowMs, ARGV[2] windowMs, ARGV[3] limit, ARGV[4] unique member.
 * Returns {1, 0} when admitted, {0, retryAfterMs} when not (when the oldest entry leaves the window).
 */
export const slidingWindowLogScript = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local retry = window
  if oldest[2] ~= nil then retry = tonumber(oldest[2]) + window - now end
  if retry < 1 then retry = 1 end
  return {0, retry}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`;

/**
 * Sliding-window counter for large limits (load-test profile), O(1) memory instead of one sorted-set
 * entry per request: estimate = previousWindowCount × (1 − elapsedFraction) + currentWindowCount.
 * KEYS[1] key prefix (two hash fields per window index), ARGV[1] nowMs, ARGV[2] windowMs, ARGV[3] limit.
 * Returns {1, 0} or {0, retryAfterMs}.
 */
export const slidingWindowCounterScript = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local index = math.floor(now / window)
local elapsed = (now - index * window) / window
local current = tonumber(redis.call('HGET', KEYS[1], tostring(index)) or '0')
local previous = tonumber(redis.call('HGET', KEYS[1], tostring(index - 1)) or '0')
local estimate = previous * (1 - elapsed) + current
if estimate >= limit then
  return {0, math.max(1, math.ceil(window - (now - index * window)))}
end
redis.call('HINCRBY', KEYS[1], tostring(index), 1)
redis.call('HDEL', KEYS[1], tostring(index - 2))
redis.call('PEXPIRE', KEYS[1], window * 2)
return {1, 0}
`;

/**
 * Removes a device's registry entry only if this instance still owns it (a newer connection of the
 * same device on another instance must survive the old one's close).
 * KEYS[1] user's connection hash; ARGV[1] deviceId; ARGV[2] instanceId. Returns 1 if removed.
 */
export const unregisterIfOwnerScript = `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if entry == false then return 0 end
local owner = string.match(entry, '^([^|]*)')
if owner ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`;
