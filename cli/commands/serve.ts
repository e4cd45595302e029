import type { Command } from 'commander';
import { CapsimError } from '../../common/errors.js';
import { action } from '../action.js';

interface ServeFlags {
  port: string;
  host: string;
  dataDir: string;
  profile: string;
  batchSize?: string;
  batchDelayMs?: string;
  tokenSecret: string;
  devTokens: boolean;
  heartbeatMs?: string;
  maxConnections?: string;
  maxBufferedBytes?: string;
  maxFrameBytes?: string;
  maxBodyBytes?: string;
  rateLimit?: string;
  connectRateLimit?: string;
  sqliteSync: string;
  redis?: string;
  postgres?: string;
  instances?: string;
  shards?: string;
  keyPrefix?: string;
  log: boolean;
}

/** Parses an integer flag, throwing a CapsimError that names the flag. */
export function integerFlag(
  flag: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CapsimError('E_BAD_FLAG', `${flag} must be an integer from ${min} to ${max}`, {
      problems: [{ path: flag, message: 'invalid value', expected: `integer ${min}..${max}`, found: raw }],
    });
  }
  return value;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'Start the reference chat server (embedded SQLite by default; --redis/--postgres for cluster mode)',
    )
    .option('--port <n>', 'listening port (0 = any free port)', '8080')
    .option('--host <address>', 'listening address', '127.0.0.1')
    .option('--data-dir <dir>', 'SQLite data directory (embedded mode)', './.capsim-data')
    .option('--profile <name>', "'default' or 'loadtest' (raises rate limits)", 'default')
    .option('--batch-size <n>', 'write buffer: commit at this many messages (default 100)')
    .option(
      '--batch-delay-ms <ms>',
      'write buffer: commit at the latest this long after the first message (default 5)',
    )
    .option('--token-secret <secret>', 'HMAC secret for tokens', 'capsim-dev-secret')
    .option('--no-dev-tokens', 'disable POST /v1/tokens')
    .option('--heartbeat-ms <ms>', 'heartbeat interval announced in hello (idle timeout is twice this)')
    .option('--max-connections <n>', 'connections per process (default 19500)')
    .option('--max-buffered-bytes <n>', 'outbound buffer per socket before closing it 4009 (default 1048576)')
    .option('--max-frame-bytes <n>', 'largest accepted frame (default 16384)')
    .option('--max-body-bytes <n>', 'largest message body (default 4096)')
    .option('--rate-limit <n>', 'messages per user per minute (default 100; loadtest profile 1000000)')
    .option('--connect-rate-limit <n>', 'new connections per client IP per minute (default 600)')
    .option('--sqlite-sync <mode>', "'full' (survives OS crash) or 'normal' (survives process crash)", 'full')
    .option('--redis <url>', 'cluster mode: Redis URL (e.g. redis://127.0.0.1:6379)')
    .option(
      '--postgres <url>',
      'cluster mode: PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/capsim)',
    )
    .option('--instances <n>', 'cluster mode: gateway instances (ports PORT, PORT+1, …)')
    .option('--shards <n>', 'cluster mode: message shards')
    .option('--key-prefix <prefix>', 'cluster mode: Redis key / PostgreSQL schema prefix')
    .option('--log', 'log lifecycle events to stderr', false)
    .action(
      action(async (flags: ServeFlags) => {
        if (flags.profile !== 'default' && flags.profile !== 'loadtest') {
          throw new CapsimError('E_BAD_FLAG', "--profile must be 'default' or 'loadtest'", {
            problems: [
              {
                path: '--profile',
                message: 'unknown profile',
                expected: 'default | loadtest',
                found: flags.profile,
              },
            ],
          });
        }
        if (flags.sqliteSync !== 'full' && flags.sqliteSync !== 'normal') {
          throw new CapsimError('E_BAD_FLAG', "--sqlite-sync must be 'full' or 'normal'", {
            problems: [
              {
                path: '--sqlite-sync',
                message: 'unknown mode',
                expected: 'full | normal',
                found: flags.sqliteSync,
              },
            ],
          });
        }
        const batchSize = integerFlag('--batch-size', flags.batchSize, 1, 100_000);
        const batchDelayMs = integerFlag('--batch-delay-ms', flags.batchDelayMs, 0, 60_000);
        const options = {
          port: integerFlag('--port', flags.port, 0, 65_535),
          host: flags.host,
          dataDir: flags.dataDir,
          profile: flags.profile,
          tokenSecret: flags.tokenSecret,
          devTokens: flags.devTokens,
          heartbeatMs: integerFlag('--heartbeat-ms', flags.heartbeatMs, 100, 3_600_000),
          maxConnections: integerFlag('--max-connections', flags.maxConnections, 1, 10_000_000),
          maxBufferedBytes: integerFlag('--max-buffered-bytes', flags.maxBufferedBytes, 1024, 2 ** 31),
          maxFrameBytes: integerFlag('--max-frame-bytes', flags.maxFrameBytes, 256, 16 * 2 ** 20),
          maxBodyBytes: integerFlag('--max-body-bytes', flags.maxBodyBytes, 1, 16 * 2 ** 20),
          sendRateLimit: integerFlag('--rate-limit', flags.rateLimit, 1, 1e9),
          connectRateLimit: integerFlag('--connect-rate-limit', flags.connectRateLimit, 1, 1e9),
          sqliteSync: flags.sqliteSync,
          log: flags.log,
          writeBuffer: {
            ...(batchSize !== undefined ? { maxMessages: batchSize } : {}),
            ...(batchDelayMs !== undefined ? { maxDelayMs: batchDelayMs } : {}),
          },
        } as const;
        const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
        const clustered =
          flags.redis !== undefined || flags.postgres !== undefined || flags.instances !== undefined;

        let urls: string[];
        let close: () => Promise<void>;
        if (clustered) {
          if (flags.redis === undefined || flags.postgres === undefined) {
            throw new CapsimError('E_BAD_FLAG', 'cluster mode needs both --redis and --postgres', {
              problems: [{ path: flags.redis === undefined ? '--redis' : '--postgres', message: 'missing' }],
            });
          }
          const { startCluster } = await import('../../reference-server/cluster/index.js');
          const cluster = await startCluster({
            ...defined,
            redisUrl: flags.redis,
            postgresUrl: flags.postgres,
            instances: integerFlag('--instances', flags.instances, 1, 64) ?? 1,
            ...(flags.shards !== undefined ? { shards: integerFlag('--shards', flags.shards, 1, 1024) } : {}),
            ...(flags.keyPrefix !== undefined ? { keyPrefix: flags.keyPrefix } : {}),
          });
          urls = cluster.instances.map((instance) => instance.url);
          close = () => cluster.close();
        } else {
          const { startServer } = await import('../../reference-server/index.js');
          const server = await startServer(defined);
          urls = [server.url];
          close = () => server.close();
        }
        const first = urls[0];
        console.log(
          `capsim reference server (${clustered ? `cluster, ${urls.length} instances` : 'embedded'}) listening:`,
        );
        for (const url of urls) console.log(`  ${url}   WebSocket ${url.replace(/^http/, 'ws')}/v1/ws`);
        if (flags.devTokens) {
          console.log('Get a token:');
          console.log(
            `  curl -s -X POST ${first}/v1/tokens -H 'content-type: application/json' -d '{"userId":"u1"}'`,
          );
          console.log(
            `Then connect: ${first.replace(/^http/, 'ws')}/v1/ws?token=<token>   (protocol: reference-server/PROTOCOL.md)`,
          );
        }
        console.log(
          `Health ${first}/healthz · readiness ${first}/readyz · metrics ${first}/metrics · Ctrl-C stops`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            console.log('shutting down: flushing the write buffer, asking clients to reconnect…');
            void close().then(resolve, resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      }),
    );
}
