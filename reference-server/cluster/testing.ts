/**
 * Helpers for tests and benches that need a real Redis and PostgreSQL: reachability probes (so tests
 * skip loudly, and only when a dependency is really absent), a throw-away database per run, and
 * removal of every Redis key under a prefix.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const defaultTestRedisUrl = process.env.CAPSIM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Candidate admin URLs: CI and this machine use trust auth as `postgres` or `root` on database `test`. */
export const defaultTestPostgresUrls = process.env.CAPSIM_TEST_POSTGRES_URL
  ? [process.env.CAPSIM_TEST_POSTGRES_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

export async function probeRedis(url: string = defaultTestRedisUrl): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${url} unreachable: ${(error as Error).message}`;
  } finally {
    client.disconnect();
  }
}

/** Returns the first admin URL that accepts a connection, or the reason none did. */
export async function probePostgres(
  urls: readonly string[] = defaultTestPostgresUrls,
): Promise<{ url?: string; reason?: string }> {
  const reasons: string[] = [];
  for (const url of urls) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { url };
    } catch (error) {
      reasons.push(`${url}: ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { reason: `PostgreSQL unreachable (${reasons.join('; ')})` };
}

/** Both services of cluster mode: their URLs, or why tests and benches that need them must skip. */
export type ClusterServices =
  { skipReason: string } | { skipReason?: undefined; redisUrl: string; postgresAdminUrl: string };

export async function probeClusterServices(
  options: { redisUrl?: string; postgresAdminUrl?: string } = {},
): Promise<ClusterServices> {
  const redisUrl = options.redisUrl ?? defaultTestRedisUrl;
  const redisProblem = await probeRedis(redisUrl);
  const postgres = await probePostgres(options.postgresAdminUrl ? [options.postgresAdminUrl] : undefined);
  const skipReason = redisProblem ?? postgres.reason;
  if (skipReason !== undefined || postgres.url === undefined)
    return { skipReason: skipReason ?? 'PostgreSQL unreachable' };
  return { redisUrl, postgresAdminUrl: postgres.url };
}

/**
 * For a test file that needs both services: probes them and, when one is unreachable, says so loudly
 * (CI runs both, so a skip there is a finding). `postgresAdminUrl` is '' when skipping.
 */
export async function clusterTestServices(
  what: string,
): Promise<{ skipReason: string | undefined; redisUrl: string; postgresAdminUrl: string }> {
  const services = await probeClusterServices();
  if (services.skipReason === undefined) return { ...services, skipReason: undefined };
  console.warn(`\n*** SKIPPING ${what}: ${services.skipReason} ***\n`);
  return { skipReason: services.skipReason, redisUrl: defaultTestRedisUrl, postgresAdminUrl: '' };
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Creates a fresh database next to the admin URL's; returns its URL and a function that drops it. */
export async function createTemporaryDatabase(
  adminUrl: string,
  name = `capsim_test_${uniqueSuffix()}`,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never FLUSHALL: the Redis is shared). */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
