/**
 * Cluster mode: `startCluster` runs N gateway instances as separate processes (each a `startServer`
 * with the Redis + PostgreSQL adapters, on its own port) sharing one Redis and one PostgreSQL.
 * Used by `capsim serve --redis … --postgres … --instances N` and by the cluster tests and bench.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { forkModule, resolveSiblingModule } from '../../common/spawn-module.js';
import type { ClusterOptions, RunningCluster } from '../contracts.js';
import type { RunningServer } from '../options.js';
import { defaultShards, namespaceFromPrefix } from './adapters.js';
import type { ChildMessage, InstanceStartOptions, ParentMessage } from './ipc.js';
import { createPgPool } from './pg/pool.js';
import { ensureSchema } from './pg/schema.js';
import { defaultRedisPrefix } from './redis/keys.js';
import { randomBytes } from 'node:crypto';

export interface StartClusterOptions extends ClusterOptions {
  /** PostgreSQL connections per instance (default 6; keep instances × this under max_connections). */
  pgPoolSize?: number;
  /** Child stdio: 'inherit' (default, logs reach the terminal) or 'ignore' (tests, benches). */
  stdio?: 'inherit' | 'ignore';
  /** Milliseconds to wait for an instance to start. */
  startTimeoutMs?: number;
  /** Extra Node flags for the instance processes (e.g. `--max-old-space-size=4096`). */
  execArgv?: string[];
}

export interface ClusterInstance extends RunningServer {
  instanceId: string;
  pid: number;
  /** Sends a signal to the instance process (tests kill one with SIGKILL); resolves when it exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface RunningClusterInstances extends RunningCluster {
  instances: ClusterInstance[];
  keyPrefix: string;
}

export async function startCluster(options: StartClusterOptions): Promise<RunningClusterInstances> {
  const instances = options.instances;
  if (!Number.isInteger(instances) || instances < 1 || instances > 64) {
    throw new CapsimError(
      'E_BAD_INSTANCES',
      `--instances must be an integer from 1 to 64, got ${instances}`,
      {
        problems: [
          { path: 'instances', message: 'out of range', expected: '1..64', found: String(instances) },
        ],
      },
    );
  }
  const shards = options.shards ?? defaultShards;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
    throw new CapsimError('E_BAD_SHARDS', `--shards must be an integer from 1 to 1024, got ${shards}`, {
      problems: [{ path: 'shards', message: 'out of range', expected: '1..1024', found: String(shards) }],
    });
  }
  const keyPrefix = options.keyPrefix ?? defaultRedisPrefix;
  // Create the schema once, before the instances race to do it, so a wrong URL or shard count fails here.
  const pool = createPgPool({ connectionString: options.postgresUrl, maxConnections: 1 });
  try {
    await ensureSchema(pool, namespaceFromPrefix(keyPrefix), shards);
  } catch (error) {
    if (error instanceof CapsimError) throw error;
    throw new CapsimError(
      'E_POSTGRES_UNAVAILABLE',
      `cannot prepare PostgreSQL at ${redactUrl(options.postgresUrl)}: ${(error as Error).message}`,
      {
        exitCode: ExitCode.runtimeFailure,
      },
    );
  } finally {
    await pool.end();
  }

  const basePort = options.port ?? 8080;
  const runTag = randomBytes(2).toString('hex');
  const {
    redisUrl,
    postgresUrl,
    instances: _n,
    shards: _s,
    keyPrefix: _k,
    pgPoolSize,
    stdio,
    startTimeoutMs,
    execArgv,
    ...server
  } = options;
  const started: ClusterInstance[] = [];
  try {
    const pending = Array.from({ length: instances }, (_, index) =>
      startInstance(
        {
          server: { ...server, port: basePort === 0 ? 0 : basePort + index },
          // Unique per run: a restarted cluster must not receive its predecessor's in-flight envelopes.
          instanceId: `gw-${index + 1}-${runTag}`,
          redisUrl,
          postgresUrl,
          shards,
          keyPrefix,
          pgPoolSize,
        },
        { stdio: stdio ?? 'inherit', startTimeoutMs: startTimeoutMs ?? 30_000, execArgv: execArgv ?? [] },
      ).then((instance) => {
        started.push(instance);
        return instance;
      }),
    );
    const settled = await Promise.allSettled(pending);
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
    const ordered = settled.map((result) => (result as PromiseFulfilledResult<ClusterInstance>).value);
    return {
      instances: ordered,
      keyPrefix,
      close: async () => {
        await Promise.all(ordered.map((instance) => instance.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((instance) => instance.close().catch(() => undefined)));
    throw error;
  }
}

function startInstance(
  options: InstanceStartOptions,
  settings: { stdio: 'inherit' | 'ignore'; startTimeoutMs: number; execArgv: string[] },
): Promise<ClusterInstance> {
  const child = forkModule(resolveSiblingModule(import.meta.url, './instance-main'), [], {
    stdio:
      settings.stdio === 'inherit'
        ? ['ignore', 'inherit', 'inherit', 'ipc']
        : ['ignore', 'ignore', 'ignore', 'ipc'],
    execArgv: settings.execArgv,
  });
  const exited = once(child, 'exit').then(() => undefined);
  const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextCall = 1;
  child.on('message', (message: ChildMessage) => {
    if (message.type !== 'result') return;
    const call = calls.get(message.id);
    calls.delete(message.id);
    if (message.error !== undefined) call?.reject(new Error(message.error));
    else call?.resolve(message.value);
  });
  void exited.then(() => {
    for (const call of calls.values()) call.reject(new Error(`instance ${options.instanceId} exited`));
    calls.clear();
  });
  const request = <T>(method: 'runMaintenance' | 'replayDeadLetters', limit?: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`instance ${options.instanceId} is not running`));
      const id = nextCall++;
      calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      sendTo(child, { type: 'call', id, method, limit });
    });

  return new Promise<ClusterInstance>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new CapsimError(
          'E_INSTANCE_START',
          `instance ${options.instanceId} did not start within ${settings.startTimeoutMs} ms`,
          { exitCode: ExitCode.runtimeFailure },
        ),
      );
    }, settings.startTimeoutMs);
    const onEarlyExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(
        new CapsimError(
          'E_INSTANCE_START',
          `instance ${options.instanceId} exited during start (${signal ?? `code ${code}`})`,
          { exitCode: ExitCode.runtimeFailure },
        ),
      );
    };
    child.once('exit', onEarlyExit);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') {
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        reject(
          new CapsimError(
            message.code ?? 'E_INSTANCE_START',
            `instance ${options.instanceId} failed to start: ${message.message}`,
            { exitCode: ExitCode.runtimeFailure },
          ),
        );
      } else if (message.type === 'ready') {
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        let closing: Promise<void> | undefined;
        resolve({
          instanceId: options.instanceId,
          pid: child.pid ?? -1,
          url: message.url,
          wsUrl: message.wsUrl,
          port: message.port,
          runMaintenance: () => request<Record<string, number>>('runMaintenance'),
          replayDeadLetters: (limit?: number) =>
            request<{ replayed: number; remaining: number }>('replayDeadLetters', limit),
          close: () => {
            closing ??= (async () => {
              if (child.exitCode !== null || child.signalCode !== null) return;
              sendTo(child, { type: 'close' });
              // Graceful shutdown flushes the write buffer; a stuck instance is killed after 15 s.
              const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
              await exited;
              clearTimeout(killer);
            })();
            return closing;
          },
          kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      }
    });
    sendTo(child, { type: 'start', options });
  });
}

function sendTo(child: ChildProcess, message: ParentMessage): void {
  if (child.connected) child.send(message);
}

/** Hides a password in a connection URL before printing it. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
