/**
 * Prometheus metrics of one gateway instance (its own prom-client Registry, so several instances can
 * live in one process). Hot-path counters are plain numbers read at scrape time (`collect`), which
 * costs nothing per frame; latencies are histograms in seconds (Prometheus convention).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Plain counters incremented on the hot path. */
export interface GatewayCounters {
  framesIn: number;
  framesOut: number;
  messagesAccepted: number;
  messagesDelivered: number;
  storageTransactions: number;
  deliveryRetries: number;
  rateLimitedSends: number;
  rateLimitedConnections: number;
  rejectedConnections: number;
  slowConsumers: number;
  overloaded: number;
  deadLettered: number;
}

export interface GaugeSources {
  connections: () => number;
  writeBufferDepth: () => number;
  retryQueueDepth: () => number;
  /** Degraded mode: cross-instance routes waiting for the registry, and those dropped (deferred-routes.ts). */
  deferredRoutes: () => number;
  deferredRoutesDropped: () => number;
  deadLetters: () => number;
  /** (RSS − RSS at start) / connections, bytes. */
  connectionMemoryEstimateBytes: () => number;
}

// Seed 002's delivery-latency buckets (10 ms … 2 s), plus finer ones below 10 ms for a local pipeline.
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly counters: GatewayCounters = {
    framesIn: 0,
    framesOut: 0,
    messagesAccepted: 0,
    messagesDelivered: 0,
    storageTransactions: 0,
    deliveryRetries: 0,
    rateLimitedSends: 0,
    rateLimitedConnections: 0,
    rejectedConnections: 0,
    slowConsumers: 0,
    overloaded: 0,
    deadLettered: 0,
  };
  readonly ackLatency: Histogram;
  readonly deliveryLatency: Histogram;
  readonly writeBatchSize: Histogram;

  constructor(sources: GaugeSources, labels: { instance: string }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    const counters = this.counters;
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    counter('capsim_frames_in_total', 'WebSocket frames received', () => counters.framesIn);
    counter('capsim_frames_out_total', 'WebSocket frames sent', () => counters.framesOut);
    counter(
      'capsim_messages_accepted_total',
      'Messages made durable and ACKed',
      () => counters.messagesAccepted,
    );
    counter(
      'capsim_messages_delivered_total',
      'deliver frames written to sockets',
      () => counters.messagesDelivered,
    );
    counter(
      'capsim_storage_transactions_total',
      'Storage transactions committed',
      () => counters.storageTransactions,
    );
    counter(
      'capsim_delivery_retries_total',
      'Cross-instance delivery retries',
      () => counters.deliveryRetries,
    );
    counter(
      'capsim_rate_limited_total',
      'Sends rejected with E_RATE_LIMITED',
      () => counters.rateLimitedSends,
    );
    counter(
      'capsim_connections_rate_limited_total',
      'Connections closed 4029 by the per-IP rate',
      () => counters.rateLimitedConnections,
    );
    counter(
      'capsim_connections_rejected_total',
      'Connections closed 4029 by the process cap',
      () => counters.rejectedConnections,
    );
    counter(
      'capsim_slow_consumers_total',
      'Connections closed 4009 (outbound buffer cap)',
      () => counters.slowConsumers,
    );
    counter('capsim_overloaded_total', 'Requests rejected with E_OVERLOADED', () => counters.overloaded);
    counter(
      'capsim_dead_lettered_total',
      'Deliveries parked in the dead-letter queue',
      () => counters.deadLettered,
    );
    gauge('capsim_connections', 'Open authenticated WebSocket connections', sources.connections);
    gauge('capsim_write_buffer_depth', 'Messages waiting for or in a group commit', sources.writeBufferDepth);
    gauge('capsim_retry_queue_depth', 'Cross-instance deliveries being retried', sources.retryQueueDepth);
    gauge('capsim_dlq_size', 'Entries in the dead-letter queue', sources.deadLetters);
    gauge(
      'capsim_deferred_routes',
      'Cross-instance fan-outs waiting for the connection registry (degraded mode)',
      sources.deferredRoutes,
    );
    counter(
      'capsim_deferred_routes_dropped_total',
      'Waiting fan-outs dropped (queue full or too old); their recipients read the inbox on reconnect',
      sources.deferredRoutesDropped,
    );
    gauge(
      'capsim_connection_memory_estimate_bytes',
      'Estimated memory per connection: (RSS − RSS at start) / connections',
      sources.connectionMemoryEstimateBytes,
    );
    this.ackLatency = new Histogram({
      name: 'capsim_ack_latency_seconds',
      help: 'Time from receiving a send to writing its ACK (includes the group commit)',
      buckets: latencyBuckets,
      registers,
    });
    this.deliveryLatency = new Histogram({
      name: 'capsim_delivery_latency_seconds',
      help: 'Time from receiving a send to writing the deliver frame to a recipient socket',
      buckets: latencyBuckets,
      registers,
    });
    this.writeBatchSize = new Histogram({
      name: 'capsim_write_batch_size',
      help: 'Messages per group-commit transaction',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    });
  }
}
