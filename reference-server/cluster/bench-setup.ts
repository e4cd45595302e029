/**
 * What every cluster bench does around its measurement: probe Redis and PostgreSQL (a bench section
 * is skipped with the reason when either is unreachable), create a throw-away database and a Redis key
 * prefix of its own, start the gateway instances on them, and afterwards stop the instances, drop the
 * database and delete the keys, whether the measurement succeeded or threw.
 */
import { startCluster, type RunningClusterInstances, type StartClusterOptions } from './index.js';
import { createTemporaryDatabase, deleteRedisPrefix, probeClusterServices, uniqueSuffix } from './testing.js';

export interface BenchClusterOptions {
  instances: number;
  /** Names the run's resources: Redis keys `capsim_<tag>_<suffix>:…` and database `capsim_<tag>_<suffix>`. */
  tag: string;
  redisUrl?: string;
  postgresAdminUrl?: string;
  /** Overrides of the bench defaults (8 shards, load-test profile, retention off, children silent). */
  cluster?: Partial<StartClusterOptions>;
}

export type BenchClusterRun<T> = { skipped: string } | { skipped?: undefined; value: T };

export async function withBenchCluster<T>(
  options: BenchClusterOptions,
  measure: (
    cluster: RunningClusterInstances,
    resources: { redisUrl: string; keyPrefix: string },
  ) => Promise<T>,
): Promise<BenchClusterRun<T>> {
  const services = await probeClusterServices(options);
  if (services.skipReason !== undefined) return { skipped: services.skipReason };
  const { redisUrl } = services;
  const name = `capsim_${options.tag}_${uniqueSuffix()}`;
  const keyPrefix = `${name}:`;
  const database = await createTemporaryDatabase(services.postgresAdminUrl, name);
  let cluster: RunningClusterInstances | undefined;
  try {
    cluster = await startCluster({
      redisUrl,
      postgresUrl: database.url,
      instances: options.instances,
      port: 0,
      shards: 8,
      keyPrefix,
      profile: 'loadtest',
      stdio: 'ignore',
      retention: { intervalMs: 0 },
      ...options.cluster,
    });
    return { value: await measure(cluster, { redisUrl, keyPrefix }) };
  } finally {
    await cluster?.close();
    await database.drop();
    await deleteRedisPrefix(redisUrl, keyPrefix);
  }
}
