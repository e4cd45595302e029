/**
 * Assembles one gateway instance from options and adapters: node:http server, WebSocket gateway, write
 * buffer, delivery, retention timer, metrics; and its graceful shutdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../clock.js';
import type { ServerAdapters } from '../contracts.js';
import { MemoryPubSub } from '../embedded/memory-pubsub.js';
import { MemoryRateLimiter } from '../embedded/memory-rate-limiter.js';
import { MemoryConnectionRegistry } from '../embedded/memory-registry.js';
import { MemorySequenceAllocator } from '../embedded/memory-sequences.js';
import { SqliteMessageStore } from '../embedded/sqlite-store.js';
import { resolveServerOptions, type RunningServer, type ServerOptions } from '../options.js';
import { CloseCode, ConnectionTable } from './connection.js';
import type { GatewayContext } from './context.js';
import { Delivery } from './delivery.js';
import { createHttpHandler } from './http.js';
import { GatewayMetrics } from './metrics.js';
import { Breaker } from './resilience.js';
import { runRetention } from './retention.js';
import { SocketGateway } from './sockets.js';
import { WriteBuffer } from './write-buffer.js';

/** Adapters the gateway created itself (and therefore closes); ones passed in belong to the caller. */
interface Owned {
  close(): Promise<void>;
}

export async function startGateway(
  options: ServerOptions = {},
  adapters: ServerAdapters = {},
): Promise<RunningServer> {
  const resolved = resolveServerOptions(options);
  const owned: Owned[] = [];
  const clock = adapters.clock ?? systemClock;
  const instanceId = adapters.instanceId ?? resolved.serverId;
  let store = adapters.store;
  if (store === undefined) {
    store = new SqliteMessageStore({
      dataDir: resolved.dataDir,
      synchronous: resolved.sqliteSync,
      writer: resolved.sqliteWriter,
    });
    await store.init();
    owned.push(store);
  }
  const sequences = adapters.sequences ?? new MemorySequenceAllocator(store);
  const registry = adapters.registry ?? new MemoryConnectionRegistry();
  const bus = adapters.bus ?? new MemoryPubSub();
  const rateLimiter = adapters.rateLimiter ?? new MemoryRateLimiter();
  if (adapters.registry === undefined) owned.push(registry);
  if (adapters.bus === undefined) owned.push(bus);
  if (adapters.rateLimiter === undefined) owned.push(rateLimiter);

  // The metrics read objects created after them (which need the metrics): fill `late` as they appear.
  const late: { connections?: ConnectionTable; delivery?: Delivery; writeBuffer?: WriteBuffer } = {};
  const rssAtStartBytes = process.memoryUsage.rss();
  const connectionCount = () => late.connections?.size ?? 0;
  const metrics = new GatewayMetrics(
    {
      connections: connectionCount,
      writeBufferDepth: () => late.writeBuffer?.depth ?? 0,
      retryQueueDepth: () => late.delivery?.retrying ?? 0,
      deferredRoutes: () => late.delivery?.deferred.size ?? 0,
      deferredRoutesDropped: () => late.delivery?.deferred.dropped ?? 0,
      deadLetters: () => late.delivery?.deadLetters ?? 0,
      connectionMemoryEstimateBytes: () =>
        connectionCount() === 0
          ? 0
          : Math.max(0, process.memoryUsage.rss() - rssAtStartBytes) / connectionCount(),
    },
    { instance: instanceId },
  );
  const storeBreaker = new Breaker(
    adapters.dependencyNames?.store ?? 'sqlite',
    resolved.breakerHalfOpenAfterMs,
  );
  const storeWriteBreaker = new Breaker(`${storeBreaker.name}-writes`, resolved.breakerHalfOpenAfterMs);
  const busBreaker = new Breaker(
    adapters.dependencyNames?.bus ?? 'in-process',
    resolved.breakerHalfOpenAfterMs,
  );
  const connections = new ConnectionTable(metrics, resolved.maxBufferedBytes);
  const delivery = new Delivery(
    { instanceId, ...resolved.deliveryRetry },
    connections,
    registry,
    bus,
    store,
    busBreaker,
    storeBreaker,
    clock,
    metrics,
  );
  const writeBuffer = new WriteBuffer(store, sequences, storeWriteBreaker, resolved.writeBuffer, metrics);
  Object.assign(late, { connections, delivery, writeBuffer });
  delivery.deadLetters = await store.countDeadLetters();

  const ctx: GatewayContext = {
    options: resolved,
    instanceId,
    clock,
    store,
    sequences,
    registry,
    bus,
    rateLimiter,
    storeBreaker,
    storeWriteBreaker,
    busBreaker,
    connections,
    delivery,
    writeBuffer,
    metrics,
    inFlight: new Map(),
    membersCache: new Map(),
    shuttingDown: false,
    dependencyNames: { store: storeBreaker.name, bus: busBreaker.name },
  };

  await bus.subscribe(instanceId, (envelope) => delivery.receive(envelope));
  const sockets = new SocketGateway(ctx);
  const replayDeadLetters = (limit = Number.MAX_SAFE_INTEGER) => delivery.replayDeadLetters(limit);
  const http: Server = createServer(createHttpHandler(ctx, { replayDeadLetters }));
  http.on('upgrade', (request, socket, head) => sockets.handleUpgrade(request, socket, head));
  http.on('clientError', (_error, socket) => socket.destroy());
  http.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    // Accept queue of 4,096 (Node's default is 511): a reconnect storm or a load generator's ramp
    // arrives faster than one event-loop turn accepts, and an overflowing queue drops SYNs, which the
    // client retries only after 1, 3, 7 s. The kernel caps it at net.core.somaxconn.
    http.listen({ port: resolved.port, host: resolved.host, backlog: 4096 }, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;

  const heartbeatTimer = setInterval(
    () => void sockets.heartbeatSweep(),
    Math.max(50, resolved.heartbeatMs / 2),
  );
  heartbeatTimer.unref();
  let retentionTimer: NodeJS.Timeout | undefined;
  if (resolved.retention.intervalMs > 0) {
    retentionTimer = setInterval(
      () => void runRetention(ctx).catch(() => undefined),
      resolved.retention.intervalMs,
    );
    retentionTimer.unref();
  }
  const log = (line: string) => {
    if (resolved.log) process.stderr.write(`[capsim ${instanceId}] ${line}\n`);
  };
  log(`listening on http://${resolved.host}:${port}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // 1. Stop accepting: no new HTTP connections or upgrades; /readyz turns 503.
      ctx.shuttingDown = true;
      clearInterval(heartbeatTimer);
      if (retentionTimer !== undefined) clearInterval(retentionTimer);
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      // 2. Commit everything buffered; those senders get their ACKs (and recipients their frames).
      await writeBuffer.drain().catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      // 3. Tell every client to reconnect elsewhere, then close with 1001.
      const reconnect = JSON.stringify({ type: 'reconnect', reason: 'shutdown', retryAfterMs: 1000 });
      const open = [...connections.all()];
      const socketsClosed = Promise.all(
        open.map(
          (c) =>
            new Promise<void>((resolve) =>
              c.ws.readyState === 3 ? resolve() : c.ws.once('close', () => resolve()),
            ),
        ),
      );
      for (const connection of open) {
        connections.send(connection, reconnect);
        connections.close(connection, CloseCode.shutdown, 'server shutting down');
      }
      await Promise.race([socketsClosed, new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
      for (const connection of open) connection.ws.terminate();
      delivery.deferred.close(); // what still waits for the registry is in the recipients' inboxes
      http.closeAllConnections();
      await httpClosed;
      for (const adapter of owned) await adapter.close().catch(() => undefined);
      log('stopped');
    })();
    return closing;
  };

  return {
    url: `http://${resolved.host}:${port}`,
    wsUrl: `ws://${resolved.host}:${port}/v1/ws`,
    port,
    close,
    runMaintenance: () => runRetention(ctx),
    replayDeadLetters,
  };
}
