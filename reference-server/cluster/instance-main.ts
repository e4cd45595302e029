/**
 * One gateway instance of cluster mode, run as its own process by `startCluster` (index.ts): a
 * `startServer` with the Redis + PostgreSQL adapters, driven over the IPC channel.
 * Exits when the parent disconnects, so a crashed `capsim serve` leaves no orphan gateways.
 */
import { CapsimError } from '../../common/errors.js';
import { startServer } from '../index.js';
import type { RunningServer } from '../options.js';
import { createClusterAdapters, type ClusterAdapterSet } from './adapters.js';
import type { ChildMessage, InstanceStartOptions, ParentMessage } from './ipc.js';

let server: RunningServer | undefined;
let adapters: ClusterAdapterSet | undefined;
let closing: Promise<void> | undefined;

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function start(options: InstanceStartOptions): Promise<void> {
  try {
    adapters = await createClusterAdapters({
      redisUrl: options.redisUrl,
      postgresUrl: options.postgresUrl,
      instanceId: options.instanceId,
      shards: options.shards,
      keyPrefix: options.keyPrefix,
      pgPoolSize: options.pgPoolSize,
      idempotencyMs: options.server.retention?.idempotencyMs,
      presenceRetentionMs: options.server.retention?.presenceMs,
      onError: (source, error) => {
        if (options.server.log) console.error(`[${options.instanceId}] ${source}: ${error.message}`);
      },
    });
    await adapters.store.init();
    server = await startServer({ ...options.server, serverId: options.instanceId }, adapters.adapters);
    send({ type: 'ready', url: server.url, wsUrl: server.wsUrl, port: server.port });
  } catch (error) {
    await adapters?.close().catch(() => undefined);
    send({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof CapsimError ? { code: error.code } : {}),
    });
    process.exitCode = 3;
    process.disconnect?.();
  }
}

function close(): Promise<void> {
  closing ??= (async () => {
    await server?.close().catch((error: unknown) => console.error(error));
    await adapters?.close().catch(() => undefined);
    send({ type: 'closed' });
    process.disconnect?.();
  })();
  return closing;
}

async function call(message: Extract<ParentMessage, { type: 'call' }>): Promise<void> {
  try {
    if (server === undefined) throw new Error('instance not started');
    const value =
      message.method === 'runMaintenance'
        ? await server.runMaintenance()
        : await server.replayDeadLetters(message.limit);
    send({ type: 'result', id: message.id, value });
  } catch (error) {
    send({ type: 'result', id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') void start(message.options);
  else if (message.type === 'close') void close();
  else if (message.type === 'call') void call(message);
});
process.on('disconnect', () => void close());
process.on('SIGTERM', () => void close());
process.on('SIGINT', () => {
  // The parent (capsim serve) handles Ctrl-C and asks each instance to close.
});
